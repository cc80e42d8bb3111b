// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Counter} from "../src/Counter.sol";
import {WithVm} from "../src/Vm.sol";

/// Deploys a Counter and calls inc() twice, as broadcast transactions.
contract Deploy is WithVm {
    function run() external returns (Counter counter) {
        vm.startBroadcast();
        counter = new Counter();
        counter.inc();
        counter.inc();
        vm.stopBroadcast();
    }
}
