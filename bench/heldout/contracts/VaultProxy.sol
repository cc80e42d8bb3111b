// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

interface IERC20 {
    function balanceOf(address) external view returns (uint256);
    function transferFrom(address, address, uint256) external returns (bool);
}

/// An ERC-1967 proxy: every call runs the implementation's code on the proxy's storage (DELEGATECALL).
contract VaultProxy {
    /// bytes32(uint256(keccak256("eip1967.proxy.implementation")) - 1)
    bytes32 private constant IMPLEMENTATION_SLOT = 0x360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc;

    constructor(address implementation, bytes memory init) {
        assert(IMPLEMENTATION_SLOT == bytes32(uint256(keccak256("eip1967.proxy.implementation")) - 1));
        assembly {
            sstore(IMPLEMENTATION_SLOT, implementation)
        }
        (bool ok,) = implementation.delegatecall(init);
        require(ok, "proxy: init failed");
    }

    fallback() external payable {
        assembly {
            let impl := sload(IMPLEMENTATION_SLOT)
            calldatacopy(0, 0, calldatasize())
            let ok := delegatecall(gas(), impl, 0, calldatasize(), 0, 0)
            returndatacopy(0, 0, returndatasize())
            if iszero(ok) { revert(0, returndatasize()) }
            return(0, returndatasize())
        }
    }
}

/// An ERC-4626 tokenised vault's accounting (shares against the assets it holds), behind the proxy.
contract Vault4626 {
    address public asset;
    uint256 public totalSupply;
    mapping(address => uint256) public balanceOf;
    uint8 public constant DECIMALS_OFFSET = 3;

    event Deposit(address indexed sender, address indexed owner, uint256 assets, uint256 shares);

    function initialize(address asset_) external {
        require(asset == address(0), "vault: initialised");
        asset = asset_;
    }

    function totalAssets() public view returns (uint256) {
        return IERC20(asset).balanceOf(address(this));
    }

    function convertToShares(uint256 assets) public view returns (uint256) {
        return mulDiv(assets, totalSupply + 10 ** DECIMALS_OFFSET, totalAssets() + 1, false);
    }

    function convertToAssets(uint256 shares) public view returns (uint256) {
        return mulDiv(shares, totalAssets() + 1, totalSupply + 10 ** DECIMALS_OFFSET, false);
    }

    function previewDeposit(uint256 assets) external view returns (uint256) {
        return convertToShares(assets);
    }

    function previewMint(uint256 shares) external view returns (uint256) {
        return mulDiv(shares, totalAssets() + 1, totalSupply + 10 ** DECIMALS_OFFSET, true);
    }

    function deposit(uint256 assets, address receiver) external returns (uint256 shares) {
        shares = convertToShares(assets);
        require(IERC20(asset).transferFrom(msg.sender, address(this), assets), "vault: transfer failed");
        totalSupply += shares;
        balanceOf[receiver] += shares;
        emit Deposit(msg.sender, receiver, assets, shares);
    }

    /// x * y / d with a 512-bit product, rounded down or up.
    function mulDiv(uint256 x, uint256 y, uint256 d, bool roundUp) internal pure returns (uint256 r) {
        unchecked {
            uint256 lo = x * y;
            uint256 mm = mulmod(x, y, type(uint256).max);
            uint256 hi = mm - lo - (mm < lo ? 1 : 0);
            if (hi == 0) {
                r = lo / d;
            } else {
                require(d > hi, "vault: mulDiv overflow");
                uint256 rem = mulmod(x, y, d);
                hi -= rem > lo ? 1 : 0;
                lo -= rem;
                uint256 twos = d & (~d + 1);
                d /= twos;
                lo /= twos;
                lo |= hi * ((0 - twos) / twos + 1);
                uint256 inv = (3 * d) ^ 2;
                for (uint256 i = 0; i < 6; i++) inv *= 2 - d * inv;
                r = lo * inv;
            }
            if (roundUp && mulmod(x, y, d) > 0) r += 1;
        }
    }
}
