// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// Merkle proofs of depth 20 (an airdrop or allow-list tree of about a million leaves, the first `n` filled):
/// the tree's layers are built in memory, then every filled leaf's proof is read off and verified with keccak.
contract MerkleProofs {
    uint256 constant DEPTH = 20;

    function run(bytes32 seed, uint256 n) external pure returns (bytes32 root, uint256 verified) {
        bytes32[DEPTH + 1] memory zeros;
        for (uint256 l = 0; l < DEPTH; l++) zeros[l + 1] = hashPair(zeros[l], zeros[l]);
        bytes32[][] memory layers = new bytes32[][](DEPTH + 1);
        layers[0] = new bytes32[](n);
        for (uint256 i = 0; i < n; i++) layers[0][i] = keccak256(abi.encode(seed, i));
        for (uint256 l = 0; l < DEPTH; l++) {
            bytes32[] memory below = layers[l];
            bytes32[] memory above = new bytes32[]((below.length + 1) / 2);
            for (uint256 k = 0; k < above.length; k++) {
                bytes32 right = 2 * k + 1 < below.length ? below[2 * k + 1] : zeros[l];
                above[k] = hashPair(below[2 * k], right);
            }
            layers[l + 1] = above;
        }
        root = layers[DEPTH][0];
        bytes32[] memory proof = new bytes32[](DEPTH);
        for (uint256 i = 0; i < n; i++) {
            uint256 idx = i;
            for (uint256 l = 0; l < DEPTH; l++) {
                uint256 sibling = idx ^ 1;
                proof[l] = sibling < layers[l].length ? layers[l][sibling] : zeros[l];
                idx >>= 1;
            }
            if (verify(proof, root, layers[0][i], i)) verified++;
        }
    }

    function verify(bytes32[] memory proof, bytes32 root, bytes32 leaf, uint256 index) internal pure returns (bool) {
        bytes32 h = leaf;
        for (uint256 l = 0; l < proof.length; l++) {
            h = index & 1 == 1 ? hashPair(proof[l], h) : hashPair(h, proof[l]);
            index >>= 1;
        }
        return h == root;
    }

    function hashPair(bytes32 a, bytes32 b) internal pure returns (bytes32 h) {
        assembly {
            mstore(0x00, a)
            mstore(0x20, b)
            h := keccak256(0x00, 0x40)
        }
    }
}
