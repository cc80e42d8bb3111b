/** ERC-20 balances and allowances set directly: anvil_dealERC20 (and its aliases), anvil_setERC20Allowance. */
import { bigIntToBytes, concatBytes } from "../../primitives/hex.ts";
import { setErc20Value } from "../../chain/erc20_slots.ts";
import { address, type Params, quantity } from "../params.ts";
import type { MethodTable, RpcContext } from "../context.ts";

const BALANCE_OF = new Uint8Array([0x70, 0xa0, 0x82, 0x31]);
const ALLOWANCE = new Uint8Array([0xdd, 0x62, 0xed, 0x3e]);
const word = (a: bigint) => bigIntToBytes(a, 32);

function deal(p: Params, { chain }: RpcContext): null {
  p.atMost(3);
  const holder = p.required(0, "address", address);
  const token = p.required(1, "tokenAddress", address);
  const balance = p.required(2, "balance", quantity);
  setErc20Value(chain, token, concatBytes(BALANCE_OF, word(holder)), balance, "balance");
  return null;
}

export const erc20Methods: MethodTable = {
  anvil_dealERC20: deal,
  hardhat_dealERC20: deal,
  anvil_setERC20Balance: deal,
  anvil_setERC20Allowance: (p, { chain }) => {
    p.atMost(4);
    const owner = p.required(0, "owner", address);
    const spender = p.required(1, "spender", address);
    const token = p.required(2, "tokenAddress", address);
    const amount = p.required(3, "amount", quantity);
    setErc20Value(chain, token, concatBytes(ALLOWANCE, word(owner), word(spender)), amount, "allowance");
    return null;
  },
};
