import { EMPTY_CODE_HASH, keccak256 } from "../primitives/hash.ts";

/** One account as the world state holds it. Addresses and slots are bigints. */
export class Account {
  nonce: bigint;
  balance: bigint;
  private _code: Uint8Array;
  private _codeHash: Uint8Array | undefined;
  /**
   * Current storage (storage and storageIfAny). Made on first use: most accounts never hold a slot, and an
   * empty Map costs about 190 bytes an account for as long as the state keeps it.
   */
  private _storage: Map<bigint, bigint> | undefined;
  /**
   * Whether `storage` holds every slot. False for an account read from a
   * remote state source, whose missing slots are still to be fetched; true
   * once it is created or its storage is cleared locally.
   */
  storageComplete = true;

  constructor(
    nonce = 0n,
    balance = 0n,
    code: Uint8Array = EMPTY_CODE,
    storage?: Map<bigint, bigint>,
    codeHash?: Uint8Array,
  ) {
    this.nonce = nonce;
    this.balance = balance;
    this._code = code;
    this._codeHash = code.length === 0 ? EMPTY_CODE_HASH : codeHash;
    this._storage = storage;
  }

  /** Current storage. Zero values may be present; they mean empty. */
  get storage(): Map<bigint, bigint> {
    return (this._storage ??= new Map());
  }
  set storage(storage: Map<bigint, bigint>) {
    this._storage = storage;
  }
  /** The storage, or undefined if no slot was ever kept: for readers that need not make it. */
  get storageIfAny(): ReadonlyMap<bigint, bigint> | undefined {
    return this._storage;
  }

  get code(): Uint8Array {
    return this._code;
  }
  set code(code: Uint8Array) {
    this._code = code;
    this._codeHash = code.length === 0 ? EMPTY_CODE_HASH : undefined;
  }
  /** Sets the code with its known hash. */
  setCode(code: Uint8Array, codeHash: Uint8Array): void {
    this._code = code;
    this._codeHash = codeHash;
  }
  get codeHash(): Uint8Array {
    return (this._codeHash ??= keccak256(this._code));
  }

  /** EIP-161: no code, zero nonce, zero balance. */
  isEmpty(): boolean {
    return this.nonce === 0n && this.balance === 0n && this._code.length === 0;
  }

  /** A copy without the storage, whose slots are to be read from where this one came from. */
  lazyCopy(): Account {
    const copy = new Account(this.nonce, this.balance, this._code, undefined, this._codeHash);
    copy.storageComplete = false;
    return copy;
  }

  clone(): Account {
    const storage = this._storage && this._storage.size > 0 ? new Map(this._storage) : undefined;
    const copy = new Account(this.nonce, this.balance, this._code, storage, this._codeHash);
    copy.storageComplete = this.storageComplete;
    return copy;
  }
}

export const EMPTY_CODE = new Uint8Array(0);
