// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// A three-coin stable-swap pool (the Curve invariant): get_dy quotes a swap from storage-backed balances,
/// solving the invariant D and then the new balance y with Newton iterations.
contract StableSwapPool {
    uint256 constant N = 3;
    uint256 constant PRECISION = 1e18;
    uint256 constant FEE_DENOMINATOR = 1e10;

    uint256[N] public balances;
    /// Scales each coin to 18 decimals (coins with 18, 6 and 6 decimals).
    uint256[N] public rates;
    uint256 public amp;
    uint256 public fee;
    address public owner;

    constructor(uint256 amp_, uint256 fee_) {
        amp = amp_;
        fee = fee_;
        owner = msg.sender;
        rates = [PRECISION, PRECISION * 1e12, PRECISION * 1e12];
    }

    function setBalances(uint256[N] calldata b) external {
        require(msg.sender == owner, "pool: not owner");
        balances = b;
    }

    function _xp() internal view returns (uint256[N] memory xp) {
        for (uint256 i = 0; i < N; i++) xp[i] = (rates[i] * balances[i]) / PRECISION;
    }

    function getD(uint256[N] memory xp, uint256 a) internal pure returns (uint256) {
        uint256 s;
        for (uint256 i = 0; i < N; i++) s += xp[i];
        if (s == 0) return 0;
        uint256 d = s;
        uint256 ann = a * N;
        for (uint256 it = 0; it < 255; it++) {
            uint256 dP = d;
            for (uint256 i = 0; i < N; i++) dP = (dP * d) / (xp[i] * N);
            uint256 prev = d;
            d = ((ann * s + dP * N) * d) / ((ann - 1) * d + (N + 1) * dP);
            if (d > prev ? d - prev <= 1 : prev - d <= 1) return d;
        }
        revert("pool: D did not converge");
    }

    function getY(uint256 i, uint256 j, uint256 x, uint256[N] memory xp) internal view returns (uint256) {
        require(i != j && i < N && j < N, "pool: bad coins");
        uint256 a = amp;
        uint256 d = getD(xp, a);
        uint256 ann = a * N;
        uint256 c = d;
        uint256 s;
        for (uint256 k = 0; k < N; k++) {
            if (k == j) continue;
            uint256 xk = k == i ? x : xp[k];
            s += xk;
            c = (c * d) / (xk * N);
        }
        c = (c * d) / (ann * N);
        uint256 b = s + d / ann;
        uint256 y = d;
        for (uint256 it = 0; it < 255; it++) {
            uint256 prev = y;
            y = (y * y + c) / (2 * y + b - d);
            if (y > prev ? y - prev <= 1 : prev - y <= 1) return y;
        }
        revert("pool: y did not converge");
    }

    /// Coins out for `dx` of coin i, after the fee.
    function get_dy(uint256 i, uint256 j, uint256 dx) external view returns (uint256) {
        uint256[N] memory xp = _xp();
        uint256 x = xp[i] + (dx * rates[i]) / PRECISION;
        uint256 y = getY(i, j, x, xp);
        uint256 dy = ((xp[j] - y - 1) * PRECISION) / rates[j];
        return dy - (fee * dy) / FEE_DENOMINATOR;
    }

    /// The virtual price of one LP share, given the share supply.
    function virtualPrice(uint256 supply) external view returns (uint256) {
        return (getD(_xp(), amp) * PRECISION) / supply;
    }
}
