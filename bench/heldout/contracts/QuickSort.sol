// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// Sorting in memory: an array of pseudo-random words sorted with quicksort (Hoare partition, recursion on the
/// smaller side first), checked, and summarised (median, digest of the sorted array).
contract QuickSort {
    function sortRandom(uint256 seed, uint256 n) external pure returns (uint256 median, bytes32 digest) {
        uint256[] memory xs = new uint256[](n);
        uint256 s = seed;
        for (uint256 i = 0; i < n; i++) {
            // xorshift, then a multiply, so that values repeat rarely and are spread over the word
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            unchecked {
                xs[i] = s * 0x9E3779B97F4A7C15F39CC0605CEDC834;
            }
        }
        return sortAndSummarise(xs);
    }

    function sortGiven(uint256[] memory xs) external pure returns (uint256 median, bytes32 digest) {
        return sortAndSummarise(xs);
    }

    function sortAndSummarise(uint256[] memory xs) internal pure returns (uint256 median, bytes32 digest) {
        if (xs.length > 1) quicksort(xs, 0, xs.length - 1);
        for (uint256 i = 1; i < xs.length; i++) require(xs[i - 1] <= xs[i], "sort: not sorted");
        median = xs.length == 0 ? 0 : xs[xs.length / 2];
        digest = keccak256(abi.encodePacked(xs));
    }

    function quicksort(uint256[] memory xs, uint256 lo, uint256 hi) internal pure {
        while (lo < hi) {
            uint256 pivot = xs[lo + (hi - lo) / 2];
            uint256 i = lo;
            uint256 j = hi;
            while (true) {
                while (xs[i] < pivot) i++;
                while (xs[j] > pivot) j--;
                if (i >= j) break;
                (xs[i], xs[j]) = (xs[j], xs[i]);
                i++;
                j--;
            }
            if (j - lo < hi - j) {
                quicksort(xs, lo, j);
                lo = j + 1;
            } else {
                quicksort(xs, j + 1, hi);
                hi = j;
            }
        }
    }
}
