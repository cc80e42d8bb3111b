// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// An ERC-721 collection's reads as a wallet or marketplace makes them: ownerOf, balanceOf, tokenURI.
contract Erc721Collection {
    string public name = "Held-out Test Collection";
    string public symbol = "HOTC";
    string private baseURI = "ipfs://bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi/metadata/";
    mapping(uint256 => address) private owners;
    mapping(address => uint256) private balances;
    mapping(uint256 => address) public getApproved;
    mapping(uint256 => string) private customURI;
    uint256 public totalSupply;

    event Transfer(address indexed from, address indexed to, uint256 indexed tokenId);

    function mint(address to, uint256 count) external {
        for (uint256 i = 0; i < count; i++) {
            uint256 id = ++totalSupply;
            owners[id] = to;
            emit Transfer(address(0), to, id);
        }
        balances[to] += count;
    }

    function setCustomURI(uint256 id, string calldata uri) external {
        customURI[id] = uri;
    }

    function ownerOf(uint256 id) public view returns (address owner) {
        owner = owners[id];
        require(owner != address(0), "ERC721: invalid token ID");
    }

    function balanceOf(address owner) external view returns (uint256) {
        require(owner != address(0), "ERC721: address zero is not a valid owner");
        return balances[owner];
    }

    function tokenURI(uint256 id) external view returns (string memory) {
        ownerOf(id);
        bytes memory custom = bytes(customURI[id]);
        if (custom.length > 0) return string(custom);
        return string.concat(baseURI, toString(id), ".json");
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
}
