// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// The counter of ../shared/CLIENTS.md: an event and a require with a reason.
contract Counter {
    uint256 public count;
    address public owner;
    event Incremented(address indexed by, uint256 newCount);
    constructor() { owner = msg.sender; }
    function inc() external { count += 1; emit Incremented(msg.sender, count); }
    function setCount(uint256 v) external {
        require(msg.sender == owner, "Counter: not owner");
        count = v;
    }
}

contract Target {
    uint256 public value;
    event Set(uint256 indexed v, address indexed by);
    function set(uint256 v) external { value = v; emit Set(v, msg.sender); }
    function get() external view returns (uint256) { return value; }
    function fail(string calldata why) external pure { revert(why); }
}

/// Calls that succeed, revert, panic, run out of gas, use precompiles, nest and CREATE2.
contract Probe {
    error Unauthorized(address who, uint256 code);
    uint256[] public items;
    mapping(uint256 => uint256) public slots;
    Target public target;

    constructor() { target = new Target(); }

    function revertWithReason() external pure { require(false, "Probe: nope"); }
    function revertCustom() external view { revert Unauthorized(msg.sender, 42); }
    function panicOverflow(uint256 x) external pure returns (uint256) { return x + type(uint256).max; }
    function panicDivide(uint256 x) external pure returns (uint256) { return 1 / x; }
    function panicAssert() external pure { assert(false); }
    function panicIndex() external view returns (uint256) { return items[5]; }
    function burn() external pure returns (uint256 s) { while (true) { s = s * 3 + 1; } }
    function hashes(bytes calldata data) external view returns (bytes32 sha, bytes20 rip, bytes memory id) {
        sha = sha256(data);
        rip = ripemd160(data);
        (, id) = address(4).staticcall(data);
    }
    function recover(bytes32 h, uint8 v, bytes32 r, bytes32 s) external pure returns (address) { return ecrecover(h, v, r, s); }
    function modexp(uint256 b, uint256 e, uint256 m) external view returns (bytes memory out) {
        (, out) = address(5).staticcall(abi.encode(uint256(32), uint256(32), uint256(32), b, e, m));
    }
    function nested(uint256 v) external returns (uint256) { target.set(v); return target.get() * 2; }
    function nestedRevert() external view { target.fail("inner reason"); }
    function deploy(bytes32 salt) external returns (address) { return address(new Target{salt: salt}()); }
    function fill(uint256 n) external { for (uint256 i; i < n; i++) slots[i] = i + 1; }
    function sum(uint256 n) external view returns (uint256 t) { for (uint256 i; i < n; i++) t += slots[i]; }
    function blockInfo() external view returns (uint256, uint256, uint256, uint256, address, uint256) {
        return (block.number, block.timestamp, block.basefee, block.chainid, block.coinbase, block.gaslimit);
    }
    function pay(address payable to) external payable { to.transfer(msg.value); }
}
