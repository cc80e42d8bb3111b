// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ToyPair, ToyWeth, Erc20} from "../src/ToyAmm.sol";

interface Vm {
    function envAddress(string calldata name) external view returns (address);
    function expectRevert(bytes calldata revertData) external;
    function deal(address who, uint256 amount) external;
}

/// Run with `forge test --fork-url <node>` and PAIR/WETH set: swaps on a pair that lives on the node,
/// inside forge's fork (the node's state is left as it was). Works on any Uniswap-V2-style pair.
contract SwapForkTest {
    Vm internal constant vm = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));
    ToyPair pair;
    ToyWeth weth;
    Erc20 other;
    bool wethIs0;

    function setUp() public {
        pair = ToyPair(vm.envAddress("PAIR"));
        weth = ToyWeth(payable(vm.envAddress("WETH")));
        wethIs0 = pair.token0() == address(weth);
        other = Erc20(wethIs0 ? pair.token1() : pair.token0());
        vm.deal(address(this), 10 ether);
    }

    function quote(uint256 amountIn) internal view returns (uint256) {
        (uint112 r0, uint112 r1,) = pair.getReserves();
        (uint256 rIn, uint256 rOut) = wethIs0 ? (uint256(r0), uint256(r1)) : (uint256(r1), uint256(r0));
        uint256 inWithFee = amountIn * 997;
        return (inWithFee * rOut) / (rIn * 1000 + inWithFee);
    }

    function test_reservesAreForked() public view {
        (uint112 r0, uint112 r1,) = pair.getReserves();
        require(r0 > 0 && r1 > 0, "the pair has liquidity on the node");
    }

    function test_swapOneEther() public {
        uint256 out = quote(1 ether);
        weth.deposit{value: 1 ether}();
        weth.transfer(address(pair), 1 ether);
        pair.swap(wethIs0 ? 0 : out, wethIs0 ? out : 0, address(this), "");
        require(other.balanceOf(address(this)) == out, "received the quoted amount");
    }

    function test_askingForMoreFailsTheInvariant() public {
        uint256 out = quote(1 ether) + 1;
        weth.deposit{value: 1 ether}();
        weth.transfer(address(pair), 1 ether);
        vm.expectRevert(abi.encodeWithSignature("Error(string)", "ToyPair: K"));
        pair.swap(wethIs0 ? 0 : out, wethIs0 ? out : 0, address(this), "");
    }

    receive() external payable {}
}
