// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// Keccak-256 written in Solidity: the Keccak-f[1600] permutation on 25 64-bit lanes with shifts and xors, the
/// sponge at rate 136 bytes. Returns its digest beside the KECCAK256 opcode's, so a caller sees they agree.
contract KeccakSolidity {
    function hash(bytes calldata data) external pure returns (bytes32 ours, bytes32 native) {
        return (keccak(data), keccak256(data));
    }

    function keccak(bytes calldata data) internal pure returns (bytes32) {
        uint64[25] memory a;
        uint256 len = data.length;
        uint256 off = 0;
        // Full blocks, then the last one with the pad10*1 padding (0x01 ... 0x80).
        while (true) {
            bool last = len - off < 136;
            for (uint256 lane = 0; lane < 17; lane++) {
                uint64 w = 0;
                for (uint256 b = 0; b < 8; b++) {
                    uint256 pos = lane * 8 + b;
                    uint64 byteVal;
                    if (!last) {
                        byteVal = uint8(data[off + pos]);
                    } else {
                        if (off + pos < len) byteVal = uint8(data[off + pos]);
                        else if (off + pos == len) byteVal = 0x01;
                        if (pos == 135) byteVal |= 0x80;
                    }
                    w |= byteVal << uint64(8 * b);
                }
                a[lane] ^= w;
            }
            keccakF(a);
            if (last) break;
            off += 136;
        }
        uint256 out;
        for (uint256 lane = 0; lane < 4; lane++) {
            uint64 w = a[lane];
            for (uint256 b = 0; b < 8; b++) {
                out = (out << 8) | uint256(uint8(w >> uint64(8 * b)));
            }
        }
        return bytes32(out);
    }

    function rotl(uint64 x, uint256 n) internal pure returns (uint64) {
        if (n == 0) return x;
        return (x << n) | (x >> (64 - n));
    }

    function keccakF(uint64[25] memory a) internal pure {
        uint64[24] memory rc = [
            uint64(0x0000000000000001), 0x0000000000008082, 0x800000000000808A, 0x8000000080008000,
            0x000000000000808B, 0x0000000080000001, 0x8000000080008081, 0x8000000000008009,
            0x000000000000008A, 0x0000000000000088, 0x0000000080008009, 0x000000008000000A,
            0x000000008000808B, 0x800000000000008B, 0x8000000000008089, 0x8000000000008003,
            0x8000000000008002, 0x8000000000000080, 0x000000000000800A, 0x800000008000000A,
            0x8000000080008081, 0x8000000000008080, 0x0000000080000001, 0x8000000080008008
        ];
        uint8[25] memory rot = [
            0, 1, 62, 28, 27,
            36, 44, 6, 55, 20,
            3, 10, 43, 25, 39,
            41, 45, 15, 21, 8,
            18, 2, 61, 56, 14
        ];
        uint64[5] memory c;
        uint64[25] memory b;
        for (uint256 round = 0; round < 24; round++) {
            for (uint256 x = 0; x < 5; x++) {
                c[x] = a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20];
            }
            for (uint256 x = 0; x < 5; x++) {
                uint64 d = c[(x + 4) % 5] ^ rotl(c[(x + 1) % 5], 1);
                for (uint256 y = 0; y < 25; y += 5) a[y + x] ^= d;
            }
            for (uint256 x = 0; x < 5; x++) {
                for (uint256 y = 0; y < 5; y++) {
                    b[y + 5 * ((2 * x + 3 * y) % 5)] = rotl(a[x + 5 * y], rot[x + 5 * y]);
                }
            }
            for (uint256 y = 0; y < 25; y += 5) {
                for (uint256 x = 0; x < 5; x++) {
                    a[y + x] = b[y + x] ^ (~b[y + (x + 1) % 5] & b[y + (x + 2) % 5]);
                }
            }
            a[0] ^= rc[round];
        }
    }
}
