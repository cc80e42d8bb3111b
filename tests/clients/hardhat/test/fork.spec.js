// hardhat_reset into fork mode: the node forks UPSTREAM_URL, where the harness deployed a Counter at
// UPSTREAM_COUNTER with count UPSTREAM_COUNT; changes in the fork never reach the upstream.
const { expect } = require("chai");
const { ethers, network } = require("hardhat");
const { observe, receiptSummary } = require("./observe");

const upstream = process.env.UPSTREAM_URL;

(upstream ? describe : describe.skip)("hardhat_reset into fork mode", function () {
  const address = process.env.UPSTREAM_COUNTER;

  it("forks the upstream and runs transactions on top of it", async function () {
    const abi = (await ethers.getContractFactory("Counter")).interface;
    await network.provider.request({ method: "hardhat_reset", params: [{ forking: { jsonRpcUrl: upstream } }] });
    const counter = new ethers.Contract(address, abi, (await ethers.getSigners())[0]);
    const forkedCount = await counter.count();
    expect(forkedCount).to.equal(BigInt(process.env.UPSTREAM_COUNT));
    const receipt = await (await counter.inc()).wait();
    expect(await counter.count()).to.equal(forkedCount + 1n);
    observe("fork: forked count", forkedCount);
    observe("fork: inc", receiptSummary(receipt));

    const upstreamCounter = new ethers.Contract(address, abi, new ethers.JsonRpcProvider(upstream));
    expect(await upstreamCounter.count()).to.equal(forkedCount);

    // Forking again (here at an explicit block) drops what was done in the fork.
    const forkBlock = await new ethers.JsonRpcProvider(upstream).getBlockNumber();
    await network.provider.request({
      method: "hardhat_reset",
      params: [{ forking: { jsonRpcUrl: upstream, blockNumber: forkBlock } }],
    });
    expect(await counter.count()).to.equal(forkedCount);
    expect(await ethers.provider.getBlockNumber()).to.equal(forkBlock);
  });
});
