// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Counter} from "../src/Counter.sol";
import {WithVm} from "../src/Vm.sol";

/// Run with --fork-url: reads a Counter deployed on the node (COUNTER_ADDR) and changes it only inside the fork.
contract CounterForkTest is WithVm {
    event Incremented(address indexed by, uint256 newCount);

    Counter counter;
    address constant DEV0 = 0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266;
    address constant STRANGER = 0x000000000000000000000000000000000000bEEF;

    function setUp() public {
        counter = Counter(vm.envOr("COUNTER_ADDR", address(0)));
        require(address(counter).code.length > 0, "COUNTER_ADDR has no code on the fork");
    }

    function test_readsForkedState() public view {
        require(counter.count() == vm.envOr("EXPECTED_COUNT", uint256(0)), "forked count");
        require(counter.owner() == DEV0, "forked owner");
        require(DEV0.balance == vm.envOr("DEV0_BALANCE", uint256(0)), "forked balance of dev account 0");
        require(block.number == vm.envOr("FORK_BLOCK", uint256(0)), "fork block number");
    }

    function test_incInsideTheFork() public {
        uint256 before = counter.count();
        vm.expectEmit(true, false, false, true);
        emit Incremented(address(this), before + 1);
        counter.inc();
        require(counter.count() == before + 1, "inc");
    }

    function test_ownerCanSet() public {
        vm.prank(DEV0);
        counter.setCount(1234);
        require(counter.count() == 1234, "setCount");
    }

    function test_revertReasonForStranger() public {
        vm.prank(STRANGER);
        vm.expectRevert(abi.encodeWithSignature("Error(string)", "Counter: not owner"));
        counter.setCount(1);
    }

    function test_newContractNextToForkedOne() public {
        Counter mine = new Counter();
        mine.inc();
        require(mine.count() == 1 && counter.owner() == DEV0, "fresh contract beside forked state");
    }
}
