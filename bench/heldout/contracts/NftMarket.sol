// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// Listings of an NFT marketplace: orders keyed by id, read by a front end before it shows a collection page.
contract NftMarket {
    struct Order {
        address seller;
        uint96 price;
        address collection;
        uint64 expiry;
        bool active;
        uint256 tokenId;
        address currency;
    }

    mapping(bytes32 => Order) public orders;
    mapping(address => uint256) public sellerNonce;
    mapping(address => bytes32[]) public ordersOfCollection;
    uint256 public feeBps = 250;

    event Listed(bytes32 indexed id, address indexed seller, address indexed collection, uint256 tokenId);

    function list(address collection, uint256 tokenId, uint96 price, uint64 expiry, address currency)
        public
        returns (bytes32 id)
    {
        id = keccak256(abi.encode(msg.sender, collection, tokenId, sellerNonce[msg.sender]++));
        orders[id] = Order(msg.sender, price, collection, expiry, true, tokenId, currency);
        ordersOfCollection[collection].push(id);
        emit Listed(id, msg.sender, collection, tokenId);
    }

    /// Set-up: `count` listings of one collection, prices spread out.
    function seed(address collection, uint256 count) external {
        for (uint256 i = 0; i < count; i++) {
            uint96 price = uint96(1 ether + ((uint256(keccak256(abi.encode(i))) % 1000) * 1e15));
            list(collection, i, price, uint64(4_000_000_000 - i), i % 3 == 0 ? address(0) : address(0xA11CE));
        }
    }

    function getOrder(bytes32 id) external view returns (Order memory) {
        return orders[id];
    }

    /// The cheapest live order among the first `limit` of a collection, with the seller's proceeds after the fee.
    function floorOf(address collection, uint256 limit, uint256 nowTs)
        external
        view
        returns (bytes32 best, uint256 price, uint256 proceeds)
    {
        bytes32[] storage ids = ordersOfCollection[collection];
        uint256 n = ids.length < limit ? ids.length : limit;
        price = type(uint256).max;
        for (uint256 i = 0; i < n; i++) {
            Order storage o = orders[ids[i]];
            if (!o.active || o.expiry < nowTs) continue;
            if (o.price < price) {
                price = o.price;
                best = ids[i];
            }
        }
        proceeds = price == type(uint256).max ? 0 : price - (price * feeBps) / 10_000;
    }
}
