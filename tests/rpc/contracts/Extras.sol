// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// A minimal ERC-20 whose balances and allowances are not at slot 0 (anvil_dealERC20 finds them by search).
contract Token {
    string public name = "Token";
    uint256 public totalSupply;
    address public admin;
    mapping(address => uint256) private balances;
    mapping(address => mapping(address => uint256)) private allowances;
    event Transfer(address indexed from, address indexed to, uint256 value);
    event Approval(address indexed owner, address indexed spender, uint256 value);
    constructor() { admin = msg.sender; balances[msg.sender] = 1000; totalSupply = 1000; }
    function balanceOf(address a) external view returns (uint256) { return balances[a]; }
    function allowance(address o, address s) external view returns (uint256) { return allowances[o][s]; }
    function transfer(address to, uint256 v) external returns (bool) {
        balances[msg.sender] -= v;
        balances[to] += v;
        emit Transfer(msg.sender, to, v);
        return true;
    }
    function approve(address s, uint256 v) external returns (bool) {
        allowances[msg.sender][s] = v;
        emit Approval(msg.sender, s, v);
        return true;
    }
    function transferFrom(address f, address t, uint256 v) external returns (bool) {
        allowances[f][msg.sender] -= v;
        balances[f] -= v;
        balances[t] += v;
        emit Transfer(f, t, v);
        return true;
    }
}

contract Box {
    uint256 public value;
    event Set(uint256 indexed v, address indexed by);
    function set(uint256 v) external { value = v; emit Set(v, msg.sender); }
    function get() external view returns (uint256) { return value; }
    function fail(string calldata why) external pure { revert(why); }
}

/// Every kind of frame a tracer reports: CALL with value, DELEGATECALL, STATICCALL, CREATE, SELFDESTRUCT, a failed call.
contract Tracee {
    uint256 public scratch; // slot 0, written by delegate() through Box.set's code
    Box public box;
    constructor() payable { box = new Box(); }
    function delegate(uint256 v) external returns (bytes memory r) { (, r) = address(box).delegatecall(abi.encodeCall(Box.set, (v))); }
    function create(uint256 v) external payable returns (address t) { t = address(new Box()); Box(t).set(v); }
    function look() external view returns (uint256) { return box.get(); }
    function destroy(address payable to) external { selfdestruct(to); }
    function forward(address payable to) external payable { (bool ok,) = to.call{value: msg.value}(""); require(ok); }
    function tryFail() external returns (bool ok) { (ok,) = address(box).call(abi.encodeCall(Box.fail, ("inner"))); }
}
