// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ToyPair, ToyToken, ToyWeth} from "../src/ToyAmm.sol";

interface Vm {
    function startBroadcast() external;
    function stopBroadcast() external;
}

/// Deploys WETH, a toy stablecoin and their pair with 100 ETH / 300,000 TUSD of liquidity.
contract DeployAmm {
    Vm internal constant vm = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));

    function run() external returns (ToyPair pair, ToyWeth weth, ToyToken tusd) {
        vm.startBroadcast();
        weth = new ToyWeth();
        tusd = new ToyToken("Toy USD", "TUSD");
        pair = new ToyPair(address(weth), address(tusd));
        weth.deposit{value: 100 ether}();
        weth.transfer(address(pair), 100 ether);
        tusd.mint(address(pair), 300_000 ether);
        pair.sync();
        vm.stopBroadcast();
    }
}
