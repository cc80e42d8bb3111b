/**
 * JSON-RPC over a socket (WebSocket, IPC): every method the HTTP endpoint answers, plus eth_subscribe and
 * eth_unsubscribe, whose subscriptions live as long as the connection.
 */
import type { DevChain } from "../chain/chain.ts";
import type { SocketPeer, SocketSession } from "../server/serve.ts";
import { ErrorCode } from "./errors.ts";
import type { JsonRpcHandler } from "./handler.ts";
import { type ChainEventSource, ConnectionSubscriptions } from "./subscriptions.ts";

export class RpcSocketSession implements SocketSession {
  private readonly subscriptions: ConnectionSubscriptions;
  private readonly handler: JsonRpcHandler;
  private open = true;

  constructor(
    node: JsonRpcHandler,
    chain: () => DevChain,
    events: ChainEventSource,
    private readonly peer: SocketPeer,
    private readonly maxMessageBytes: number,
  ) {
    this.subscriptions = new ConnectionSubscriptions(chain, events, (m) => this.send(m));
    this.handler = node.withMethods(this.subscriptions.methods());
  }

  message(text: string): void {
    void this.handle(text);
  }

  private async handle(text: string): Promise<void> {
    if (text.length > this.maxMessageBytes) {
      this.send({
        jsonrpc: "2.0",
        id: null,
        error: { code: ErrorCode.InvalidRequest, message: `message too large: the limit is ${this.maxMessageBytes} bytes` },
      });
      return;
    }
    const response = await this.handler.handleBody(text);
    if (response !== undefined) this.send(response);
    this.subscriptions.release();
  }

  private send(message: unknown): void {
    if (!this.open) return;
    let text: string;
    try {
      text = JSON.stringify(message);
    } catch (e) {
      text = JSON.stringify({
        jsonrpc: "2.0",
        id: null,
        error: { code: ErrorCode.InternalError, message: `Internal error: ${(e as Error).message}` },
      });
    }
    this.peer.send(text);
  }

  closed(): void {
    this.open = false;
    this.subscriptions.close();
  }
}
