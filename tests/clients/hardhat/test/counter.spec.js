// Deploy, call, send, events, revert reasons, impersonation, snapshots and time travel through
// hardhat-ethers over HTTP (`--network target`).
const { expect } = require("chai");
const { ethers, network } = require("hardhat");
const { observe, receiptSummary } = require("./observe");

const STRANGER = "0x000000000000000000000000000000000000bEEF";

/** The JSON-RPC error of a failed call or send over HTTP: code 3, the reason in the message, Error(string) in data. */
async function revertOf(promise) {
  try {
    await promise;
  } catch (e) {
    const err = e.error ?? e;
    return { code: err.code, message: err.message, data: err.data ?? e.data };
  }
  throw new Error("expected a revert");
}

describe("Counter on an external node", function () {
  let counter, owner, other;

  before(async function () {
    [owner, other] = await ethers.getSigners();
    counter = await ethers.deployContract("Counter");
    const receipt = await counter.deploymentTransaction().wait();
    observe("deploy", receiptSummary(receipt));
  });

  it("reads state with view calls", async function () {
    expect(await counter.count()).to.equal(0n);
    expect(await counter.owner()).to.equal(owner.address);
    observe("balance of owner after deploy", await ethers.provider.getBalance(owner.address));
  });

  it("sends a transaction and decodes its event", async function () {
    const receipt = await (await counter.inc()).wait();
    expect(receipt.status).to.equal(1);
    const event = counter.interface.parseLog(receipt.logs[0]);
    expect(event.name).to.equal("Incremented");
    expect(event.args.by).to.equal(owner.address);
    expect(event.args.newCount).to.equal(1n);
    observe("inc", receiptSummary(receipt));
    const events = await counter.queryFilter(counter.filters.Incremented(owner.address));
    expect(events).to.have.length(1);
    observe("queryFilter", events.map((e) => ({ block: e.blockNumber, args: e.args.map(String) })));
  });

  it("reports revert reasons on send, staticCall and estimateGas", async function () {
    const strangerCounter = counter.connect(other);
    const onSend = await revertOf(strangerCounter.setCount(5));
    const onCall = await revertOf(strangerCounter.setCount.staticCall(5));
    const onEstimate = await revertOf(strangerCounter.setCount.estimateGas(5));
    for (const r of [onSend, onCall, onEstimate]) {
      expect(r.message).to.contain("Counter: not owner");
      const decoded = counter.interface.parseError(r.data);
      expect(decoded.name).to.equal("Error");
      expect(decoded.args[0]).to.equal("Counter: not owner");
    }
    observe("revert on send", onSend);
    observe("revert on staticCall", onCall);
    observe("revert on estimateGas", onEstimate);
  });

  it("impersonates an account (hardhat_impersonateAccount)", async function () {
    await network.provider.request({ method: "hardhat_setBalance", params: [STRANGER, "0xde0b6b3a7640000"] });
    const stranger = await ethers.getImpersonatedSigner(STRANGER);
    const receipt = await (await counter.connect(stranger).inc()).wait();
    expect(receipt.from).to.equal(STRANGER);
    observe("impersonated inc", receiptSummary(receipt));
    await network.provider.request({ method: "hardhat_stopImpersonatingAccount", params: [STRANGER] });
    const after = await revertOf(network.provider.request({
      method: "eth_sendTransaction",
      params: [{ from: STRANGER, to: await counter.getAddress(), data: counter.interface.encodeFunctionData("inc") }],
    }));
    observe("send after stopImpersonating", { code: after.code });
    expect(after.code).to.not.equal(undefined);
  });

  it("takes and reverts snapshots (evm_snapshot / evm_revert)", async function () {
    const before = await counter.count();
    const id = await network.provider.request({ method: "evm_snapshot", params: [] });
    await (await counter.setCount(777)).wait();
    expect(await counter.count()).to.equal(777n);
    expect(await network.provider.request({ method: "evm_revert", params: [id] })).to.equal(true);
    expect(await counter.count()).to.equal(before);
    observe("count after revert", await counter.count());
  });

  it("travels in time (evm_increaseTime, evm_setNextBlockTimestamp, evm_mine)", async function () {
    const t0 = (await ethers.provider.getBlock("latest")).timestamp;
    await network.provider.request({ method: "evm_increaseTime", params: [3600] });
    await network.provider.request({ method: "evm_mine", params: [] });
    const t1 = (await ethers.provider.getBlock("latest")).timestamp;
    expect(t1 - t0).to.be.gte(3600);
    const target = t1 + 86400;
    await network.provider.request({ method: "evm_setNextBlockTimestamp", params: [target] });
    await network.provider.request({ method: "evm_mine", params: [] });
    const t2 = (await ethers.provider.getBlock("latest")).timestamp;
    expect(t2).to.equal(target);
    observe("time travel", { jumped: t1 - t0 >= 3600, exact: t2 === target });
  });
});
