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
