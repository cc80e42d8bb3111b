/**
 * eth_subscribe / eth_unsubscribe for one connection (WebSocket or IPC): newHeads, logs (with filters),
 * newPendingTransactions (hashes, or whole transactions with `true`) and syncing (never notifies: the node is
 * never syncing). Notifications follow the chain's events; a subscription's notifications wait until the answer
 * that gave its id has been sent, and every subscription ends with its connection.
 */
import { bytesToHex } from "../primitives/hex.ts";
import type { Block } from "../chain/block.ts";
import type { ChainEvents, DevChain } from "../chain/chain.ts";
import { type LogFilter, logsOfBlock } from "../chain/logs.ts";
import { formatBlock, formatLog, formatTransaction } from "./format.ts";
import type { MethodTable } from "./context.ts";
import { InvalidParamsError } from "./errors.ts";
import { bool, string } from "./params.ts";
import { NO_END, parseFilter } from "./methods/logs.ts";

/** Subscribes to the node's chain events (surviving a chain replaced by anvil_reset); returns the unsubscribe. */
export type ChainEventSource = (events: ChainEvents) => () => void;

type Kind = "newHeads" | "logs" | "newPendingTransactions" | "syncing";

interface Subscription {
  kind: Kind;
  filter?: LogFilter;
  fullTransactions?: boolean;
  /** Notifications held until the subscription's id has reached the client. */
  held?: unknown[];
}

export const MAX_SUBSCRIPTIONS_PER_CONNECTION = 1000;

function randomId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return bytesToHex(bytes);
}

export class ConnectionSubscriptions {
  private readonly subscriptions = new Map<string, Subscription>();
  private unsubscribe?: () => void;

  constructor(
    private readonly chain: () => DevChain,
    private readonly events: ChainEventSource,
    private readonly send: (message: unknown) => void,
  ) {}

  /** The methods this connection answers on top of the node's. */
  methods(): MethodTable {
    return {
      eth_subscribe: (p) => {
        p.atMost(2);
        const kind = p.required(0, "subscriptionType", string);
        return this.subscribe(kind, p.list[1]);
      },
      eth_unsubscribe: (p) => {
        p.atMost(1);
        return this.subscriptions.delete(p.required(0, "subscriptionId", string).toLowerCase());
      },
    };
  }

  private subscribe(kind: string, param: unknown): string {
    if (this.subscriptions.size >= MAX_SUBSCRIPTIONS_PER_CONNECTION) {
      throw new InvalidParamsError(`too many subscriptions on this connection (at most ${MAX_SUBSCRIPTIONS_PER_CONNECTION})`);
    }
    let sub: Subscription;
    switch (kind) {
      case "newHeads":
      case "syncing":
        if (param !== undefined && param !== null) throw new InvalidParamsError(`invalid params: ${kind} takes none`);
        sub = { kind };
        break;
      case "logs": {
        if (typeof param === "boolean") throw new InvalidParamsError("Expected params for logs subscription");
        const { filter, openEnded } = parseFilter(this.chain(), param ?? {}, "filter");
        sub = { kind, filter: { ...filter, toBlock: openEnded ? NO_END : filter.toBlock } };
        break;
      }
      case "newPendingTransactions":
        sub = { kind, fullTransactions: param === undefined || param === null ? false : bool(param, "fullTransactions") };
        break;
      default:
        throw new InvalidParamsError(
          `invalid subscriptionType: expected "newHeads", "logs", "newPendingTransactions" or "syncing", got ${JSON.stringify(kind).slice(0, 40)}`,
        );
    }
    sub.held = [];
    const id = randomId();
    this.subscriptions.set(id, sub);
    this.unsubscribe ??= this.events({
      onBlock: (block) => this.onBlock(block),
      onPendingTransaction: (hash) => this.onPendingTransaction(hash),
    });
    return id;
  }

  /** The answers of a message were sent: subscriptions created by it start notifying. */
  release(): void {
    for (const [id, sub] of this.subscriptions) {
      const held = sub.held;
      if (!held) continue;
      sub.held = undefined;
      for (const result of held) this.send({ jsonrpc: "2.0", method: "eth_subscription", params: { subscription: id, result } });
    }
  }

  private notify(id: string, sub: Subscription, result: unknown): void {
    if (sub.held) sub.held.push(result);
    else this.send({ jsonrpc: "2.0", method: "eth_subscription", params: { subscription: id, result } });
  }

  private onBlock(block: Block): void {
    let head: unknown;
    for (const [id, sub] of this.subscriptions) {
      if (sub.kind === "newHeads") this.notify(id, sub, head ??= formatBlock(block, false));
      else if (sub.kind === "logs") {
        const f = sub.filter!;
        const n = block.header.number;
        if (n < f.fromBlock || n > f.toBlock) continue;
        for (const { log, tx, logIndex } of logsOfBlock(block, f)) {
          this.notify(id, sub, formatLog(log, {
            blockHash: tx.blockHash,
            blockNumber: tx.blockNumber,
            blockTimestamp: tx.blockTimestamp,
            transactionHash: tx.hash,
            transactionIndex: tx.index,
            logIndex,
          }));
        }
      }
    }
  }

  private onPendingTransaction(hash: Uint8Array): void {
    let full: unknown;
    for (const [id, sub] of this.subscriptions) {
      if (sub.kind !== "newPendingTransactions") continue;
      if (!sub.fullTransactions) {
        this.notify(id, sub, bytesToHex(hash));
        continue;
      }
      if (full === undefined) {
        const chain = this.chain();
        const found = chain.transactionByHash(bytesToHex(hash));
        const ptx = found?.pending ?? found?.mined;
        if (!ptx) continue;
        full = formatTransaction(ptx, undefined, chain.nextBlockBaseFee());
      }
      this.notify(id, sub, full);
    }
  }

  /** The connection closed: every subscription ends. */
  close(): void {
    this.subscriptions.clear();
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }
}
