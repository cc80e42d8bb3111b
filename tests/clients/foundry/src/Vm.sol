// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// The few cheatcodes these tests use (forge-std is a git dependency, unavailable offline).
interface Vm {
    function envOr(string calldata name, address defaultValue) external view returns (address);
    function envOr(string calldata name, uint256 defaultValue) external view returns (uint256);
    function prank(address sender) external;
    function expectRevert(bytes calldata revertData) external;
    function expectEmit(bool checkTopic1, bool checkTopic2, bool checkTopic3, bool checkData) external;
    function startBroadcast() external;
    function stopBroadcast() external;
    function deal(address who, uint256 amount) external;
}

abstract contract WithVm {
    Vm internal constant vm = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));
}
