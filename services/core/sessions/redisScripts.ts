import type { Redis } from "ioredis";

/** What ioredis adds to a client for a command registered with defineCommand (numkeys passed first). */
type DefinedCommand = (numberOfKeys: number, ...keysThenArgs: (string | number)[]) => Promise<unknown>;

/**
 * A Lua script registered on each client with ioredis's defineCommand, which runs it by its SHA-1 (EVALSHA) and sends
 * the source (EVAL) when a server does not know it (after a restart, or on a new server). Each script runs atomically
 * on the server: a write is all of its commands or none.
 */
export class LuaScript {
  /** The client method's name: prefixed, so "append" cannot shadow Redis's own APPEND. */
  private readonly command: string;
  private readonly definedOn = new WeakSet<Redis>();

  constructor(
    readonly name: string,
    private readonly source: string,
  ) {
    this.command = `gaia_${name}`;
  }

  run(client: Redis, keys: string[], args: (string | number)[]): Promise<unknown> {
    if (!this.definedOn.has(client)) {
      client.defineCommand(this.command, { lua: this.source });
      this.definedOn.add(client);
    }
    const command = (client as unknown as Record<string, DefinedCommand>)[this.command] as DefinedCommand;
    return command.call(client, keys.length, ...keys, ...args);
  }
}

/**
 * Claim a packet_id: its stored turn if answered already; "busy" while another caller's claim is live; otherwise a
 * claim (with expiry, so a replica that dies mid-answer frees it) carrying the session's next arrival number, which
 * orders the turn in the history when it is stored.
 * KEYS: turns, vectors, claim, seq. ARGV: packet_id, token, claim ttl ms, session ttl ms (0 = none).
 */
export const CLAIM = new LuaScript(
  "claim",
  `local stored = redis.call('HGET', KEYS[1], ARGV[1])
if stored then return {'answered', stored, redis.call('HGET', KEYS[2], ARGV[1]) or ''} end
if redis.call('EXISTS', KEYS[3]) == 1 then return {'busy'} end
local seq = redis.call('INCR', KEYS[4])
if tonumber(ARGV[4]) > 0 then redis.call('PEXPIRE', KEYS[4], ARGV[4]) end
redis.call('SET', KEYS[3], ARGV[2] .. ':' .. seq, 'PX', ARGV[3])
return {'claimed', tostring(seq)}`,
);

/**
 * Append a turn unless its packet_id is stored (then return the stored one). Ordered by the claim's arrival number
 * when a claim exists, else by a fresh one. The session's keys get the idle TTL; the session index its last activity.
 * KEYS: turns, order, vectors, seq, claim, index. ARGV: packet_id, turn json, vector json or "", session ttl ms,
 * now ms, index member.
 */
export const APPEND = new LuaScript(
  "append",
  `local existing = redis.call('HGET', KEYS[1], ARGV[1])
if existing then return {'duplicate', existing, redis.call('HGET', KEYS[3], ARGV[1]) or ''} end
local seq
local claim = redis.call('GET', KEYS[5])
if claim then seq = tonumber(string.match(claim, ':(%d+)$')) end
if not seq then seq = redis.call('INCR', KEYS[4]) end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[2], seq, ARGV[1])
if ARGV[3] ~= '' then redis.call('HSET', KEYS[3], ARGV[1], ARGV[3]) end
local ttl = tonumber(ARGV[4])
if ttl > 0 then for i = 1, 4 do redis.call('PEXPIRE', KEYS[i], ttl) end end
redis.call('ZADD', KEYS[6], ARGV[5], ARGV[6])
return {'stored'}`,
);

/**
 * Store the vector of a stored turn that has none (first writer wins). KEYS: turns, vectors, order, seq, index.
 * ARGV: packet_id, vector json, session ttl ms, now ms, index member. Returns 1 when stored.
 */
export const ATTACH_VECTOR = new LuaScript(
  "attachVector",
  `if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then return 0 end
local added = redis.call('HSETNX', KEYS[2], ARGV[1], ARGV[2])
local ttl = tonumber(ARGV[3])
if ttl > 0 then
  for i = 1, 4 do redis.call('PEXPIRE', KEYS[i], ttl) end
  redis.call('ZADD', KEYS[5], ARGV[4], ARGV[5])
end
return added`,
);

/**
 * A whole session in one round trip: turn records in arrival order and the vectors (field, value, …).
 * KEYS: order, turns, vectors.
 */
export const LOAD = new LuaScript(
  "load",
  `local ids = redis.call('ZRANGE', KEYS[1], 0, -1)
local turns = {}
for i = 1, #ids, 500 do
  local chunk = {}
  for j = i, math.min(i + 499, #ids) do chunk[#chunk + 1] = ids[j] end
  local values = redis.call('HMGET', KEYS[2], unpack(chunk))
  for k = 1, #chunk do turns[#turns + 1] = values[k] or '' end
end
return {turns, redis.call('HGETALL', KEYS[3])}`,
);

/** Delete a claim if it is still this caller's. KEYS: claim. ARGV: token. */
export const RELEASE = new LuaScript(
  "release",
  `local v = redis.call('GET', KEYS[1])
if v and string.sub(v, 1, #ARGV[1] + 1) == ARGV[1] .. ':' then return redis.call('DEL', KEYS[1]) end
return 0`,
);

/** Extend a claim that is still this caller's (the answer outlasts its expiry). KEYS: claim. ARGV: token, ms. */
export const EXTEND = new LuaScript(
  "extend",
  `local v = redis.call('GET', KEYS[1])
if v and string.sub(v, 1, #ARGV[1] + 1) == ARGV[1] .. ':' then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`,
);
