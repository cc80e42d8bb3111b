// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// secp256k1 scalar multiplication in plain Solidity (Jacobian coordinates, double-and-add, the affine result
/// through a Fermat inverse by square-and-multiply): no precompile, as signature and key-derivation code does it.
contract Secp256k1Mul {
    uint256 constant P = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEFFFFFC2F;
    uint256 constant GX = 0x79BE667EF9DCBBAC55A06295CE870B07029BFCDB2DCE28D959F2815B16F81798;
    uint256 constant GY = 0x483ADA7726A3C4655DA4FBFC0E1108A8FD17B448A68554199C47D08FFB10D4B8;

    /// k * G, affine.
    function mulG(uint256 k) external pure returns (uint256, uint256) {
        return mul(k, GX, GY);
    }

    /// The public keys of `count` keys k, k+1, ...: k*G, then one point addition each, folded into one hash.
    function derive(uint256 k, uint256 count) external pure returns (uint256 x, uint256 y, bytes32 digest) {
        (x, y) = mul(k, GX, GY);
        digest = keccak256(abi.encode(x, y));
        uint256 z = 1;
        (uint256 jx, uint256 jy) = (x, y);
        for (uint256 i = 1; i < count; i++) {
            (jx, jy, z) = addMixed(jx, jy, z, GX, GY);
            (uint256 ax, uint256 ay) = toAffine(jx, jy, z);
            digest = keccak256(abi.encode(digest, ax, ay));
        }
    }

    function mul(uint256 k, uint256 px, uint256 py) internal pure returns (uint256, uint256) {
        require(k != 0, "secp256k1: zero scalar");
        uint256 x;
        uint256 y;
        uint256 z; // z == 0: the point at infinity
        for (uint256 bit = 256; bit > 0; bit--) {
            if (z != 0) (x, y, z) = double(x, y, z);
            if ((k >> (bit - 1)) & 1 == 1) {
                if (z == 0) (x, y, z) = (px, py, 1);
                else (x, y, z) = addMixed(x, y, z, px, py);
            }
        }
        return toAffine(x, y, z);
    }

    /// 2 * (x, y, z) for a = 0.
    function double(uint256 x, uint256 y, uint256 z) internal pure returns (uint256, uint256, uint256) {
        if (y == 0) return (0, 0, 0);
        uint256 yy = mulmod(y, y, P);
        uint256 s = mulmod(4, mulmod(x, yy, P), P);
        uint256 m = mulmod(3, mulmod(x, x, P), P);
        uint256 nx = addmod(mulmod(m, m, P), P - mulmod(2, s, P), P);
        uint256 ny = addmod(mulmod(m, addmod(s, P - nx, P), P), P - mulmod(8, mulmod(yy, yy, P), P), P);
        uint256 nz = mulmod(2, mulmod(y, z, P), P);
        return (nx, ny, nz);
    }

    /// (x, y, z) + (qx, qy, 1).
    function addMixed(uint256 x, uint256 y, uint256 z, uint256 qx, uint256 qy)
        internal
        pure
        returns (uint256, uint256, uint256)
    {
        uint256 zz = mulmod(z, z, P);
        uint256 u2 = mulmod(qx, zz, P);
        uint256 s2 = mulmod(qy, mulmod(zz, z, P), P);
        if (u2 == x) {
            if (s2 == y) return double(x, y, z);
            return (0, 0, 0);
        }
        return addCore(x, y, z, addmod(u2, P - x, P), addmod(s2, P - y, P));
    }

    /// The sum from the differences h = u2 - x and r = s2 - y.
    function addCore(uint256 x, uint256 y, uint256 z, uint256 h, uint256 r)
        internal
        pure
        returns (uint256, uint256, uint256)
    {
        uint256 hh = mulmod(h, h, P);
        uint256 hhh = mulmod(hh, h, P);
        uint256 v = mulmod(x, hh, P);
        uint256 nx = addmod(addmod(mulmod(r, r, P), P - hhh, P), P - mulmod(2, v, P), P);
        uint256 ny = addmod(mulmod(r, addmod(v, P - nx, P), P), P - mulmod(y, hhh, P), P);
        return (nx, ny, mulmod(z, h, P));
    }

    function toAffine(uint256 x, uint256 y, uint256 z) internal pure returns (uint256, uint256) {
        require(z != 0, "secp256k1: infinity");
        uint256 zi = inverse(z);
        uint256 zi2 = mulmod(zi, zi, P);
        return (mulmod(x, zi2, P), mulmod(y, mulmod(zi2, zi, P), P));
    }

    /// a^(p-2) mod p by square-and-multiply.
    function inverse(uint256 a) internal pure returns (uint256 r) {
        uint256 e = P - 2;
        r = 1;
        uint256 b = a;
        while (e != 0) {
            if (e & 1 == 1) r = mulmod(r, b, P);
            b = mulmod(b, b, P);
            e >>= 1;
        }
    }
}
