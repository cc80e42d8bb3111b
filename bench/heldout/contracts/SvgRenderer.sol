// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// An on-chain generative image: an SVG of tiles built with string concatenation, wrapped in JSON metadata,
/// both base64-encoded into a data URI, as NFT contracts that keep their art on chain return from tokenURI.
contract SvgRenderer {
    bytes constant TABLE = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    bytes constant HEX = "0123456789abcdef";

    function tokenURI(uint256 tokenId, uint256 tiles) external pure returns (string memory) {
        string memory svg = render(tokenId, tiles);
        bytes memory json = abi.encodePacked(
            '{"name":"Tiles #',
            toString(tokenId),
            '","description":"Generated on chain.","image":"data:image/svg+xml;base64,',
            base64(bytes(svg)),
            '"}'
        );
        return string(abi.encodePacked("data:application/json;base64,", base64(json)));
    }

    function render(uint256 seed, uint256 tiles) public pure returns (string memory) {
        bytes memory out = abi.encodePacked(
            '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 320 320"><rect width="320" height="320" fill="#',
            color(uint256(keccak256(abi.encode(seed)))),
            '"/>'
        );
        for (uint256 i = 0; i < tiles; i++) {
            uint256 r = uint256(keccak256(abi.encode(seed, i)));
            out = abi.encodePacked(
                out,
                '<rect x="',
                toString((r & 0xff) % 300),
                '" y="',
                toString(((r >> 8) & 0xff) % 300),
                '" width="',
                toString(4 + ((r >> 16) & 0x1f)),
                '" height="',
                toString(4 + ((r >> 24) & 0x1f)),
                '" fill="#',
                color(r >> 32),
                '" opacity="0.',
                toString(1 + ((r >> 56) % 9)),
                '"/>'
            );
        }
        return string(abi.encodePacked(out, "</svg>"));
    }

    function color(uint256 v) internal pure returns (string memory) {
        bytes memory s = new bytes(6);
        for (uint256 i = 0; i < 6; i++) {
            s[5 - i] = HEX[v & 0xf];
            v >>= 4;
        }
        return string(s);
    }

    function toString(uint256 v) internal pure returns (string memory) {
        if (v == 0) return "0";
        uint256 digits;
        for (uint256 t = v; t != 0; t /= 10) digits++;
        bytes memory out = new bytes(digits);
        while (v != 0) {
            out[--digits] = bytes1(uint8(48 + (v % 10)));
            v /= 10;
        }
        return string(out);
    }

    function base64(bytes memory data) internal pure returns (string memory) {
        if (data.length == 0) return "";
        bytes memory out = new bytes(4 * ((data.length + 2) / 3));
        uint256 j;
        for (uint256 i = 0; i < data.length; i += 3) {
            uint256 chunk = uint256(uint8(data[i])) << 16;
            if (i + 1 < data.length) chunk |= uint256(uint8(data[i + 1])) << 8;
            if (i + 2 < data.length) chunk |= uint256(uint8(data[i + 2]));
            out[j++] = TABLE[(chunk >> 18) & 63];
            out[j++] = TABLE[(chunk >> 12) & 63];
            out[j++] = i + 1 < data.length ? TABLE[(chunk >> 6) & 63] : bytes1("=");
            out[j++] = i + 2 < data.length ? TABLE[chunk & 63] : bytes1("=");
        }
        return string(out);
    }
}
