import { Schema, type Connection, type Model } from 'mongoose';
import { z } from 'zod';
import type { Agent, AgentStore } from '../domain/ports';

const seedFileSchema = z.object({
  description: z.string().optional(),
  agents: z.array(
    z.object({
      _id: z.string().min(1),
      name: z.string().min(1),
      skills: z.array(z.string()),
      capacity: z.number().int().min(1),
      online: z.boolean().default(true),
    }),
  ),
});

/** The stored agent document: the domain's agent, and when its profile last changed. */
export interface AgentRecord extends Agent {
  updatedAt: Date;
}

export type AgentProfile = Pick<AgentRecord, '_id' | 'name' | 'skills' | 'capacity' | 'online'>;

const agentSchema = new Schema<AgentRecord>(
  {
    _id: { type: String, required: true },
    name: { type: String, required: true },
    skills: { type: [String], default: [] },
    capacity: { type: Number, required: true, min: 1 },
    online: { type: Boolean, default: true },
    activeTickets: { type: Number, default: 0 },
    activeTicketsChangedAt: Date,
    updatedAt: { type: Date, required: true },
  },
  { collection: 'agents', versionKey: false },
);
agentSchema.index({ online: 1, skills: 1 });

export class AgentRepository implements AgentStore {
  readonly model: Model<AgentRecord>;

  constructor(connection: Connection) {
    this.model =
      (connection.models.Agent as Model<AgentRecord> | undefined) ?? connection.model('Agent', agentSchema);
  }

  async ensureIndexes(): Promise<void> {
    await this.model.createCollection().catch(() => undefined);
    await this.model.createIndexes();
  }

  async findById(id: string): Promise<AgentRecord | null> {
    return this.model.findById(id).lean<AgentRecord>();
  }

  async list(): Promise<AgentRecord[]> {
    return this.model.find().sort({ _id: 1 }).lean<AgentRecord[]>();
  }

  /** Creates or replaces an agent's profile; the open-ticket counter is the router's and is kept. */
  async upsert(agent: AgentProfile): Promise<{ agent: AgentRecord; created: boolean }> {
    const { _id, ...fields } = agent;
    const before = await this.model
      .findOneAndUpdate(
        { _id },
        { $set: { ...fields, updatedAt: new Date() }, $setOnInsert: { activeTickets: 0 } },
        { upsert: true, new: false },
      )
      .lean<AgentRecord>();
    const after = await this.findById(_id);
    if (!after) throw new Error(`agent ${_id} vanished right after its upsert`);
    return { agent: after, created: before === null };
  }

  async setOnline(id: string, online: boolean): Promise<AgentRecord | null> {
    return this.model
      .findOneAndUpdate({ _id: id }, { $set: { online, updatedAt: new Date() } }, { new: true })
      .lean<AgentRecord>();
  }

  /**
   * Takes one slot of the agent's capacity, atomically: the filter admits the update only while
   * the counter is below capacity, so concurrent claims by one agent can never overshoot.
   */
  async reserve(id: string): Promise<boolean> {
    return (await this.takeSlot({ _id: id })) !== null;
  }

  /** `reserve` for a claim: also requires the agent to be online; returns the agent, or null. */
  async reserveIfOnline(id: string): Promise<AgentRecord | null> {
    return this.takeSlot({ _id: id, online: true });
  }

  /** The one atomic capacity update: admitted only while the counter is below capacity. */
  private async takeSlot(filter: Record<string, unknown>): Promise<AgentRecord | null> {
    return this.model
      .findOneAndUpdate(
        { ...filter, $expr: { $lt: [{ $ifNull: ['$activeTickets', 0] }, '$capacity'] } },
        { $inc: { activeTickets: 1 }, $set: { activeTicketsChangedAt: new Date() } },
        { new: true },
      )
      .lean<AgentRecord>();
  }

  /** Gives a slot back (a claim found nothing, or a held ticket was resolved, released or taken back). */
  async release(id: string): Promise<AgentRecord | null> {
    // Answers the agent, so a resolve can offer them push work without reading them again.
    return this.model
      .findOneAndUpdate(
        { _id: id, activeTickets: { $gt: 0 } },
        { $inc: { activeTickets: -1 }, $set: { activeTicketsChangedAt: new Date() } },
        { new: true },
      )
      .lean<AgentRecord>();
  }

  /**
   * Corrects a counter that drifted (a process died between reserving a slot and claiming):
   * only when it still shows `expected` and has not moved since `quietBefore`, so no claim is
   * in flight.
   */
  async correctCount(id: string, expected: number, actual: number, quietBefore: Date): Promise<boolean> {
    const result = await this.model.updateOne(
      { _id: id, activeTickets: expected, activeTicketsChangedAt: { $lt: quietBefore } },
      { $set: { activeTickets: actual, activeTicketsChangedAt: new Date() } },
    );
    return result.modifiedCount === 1;
  }

  /** Online agents that have every one of `skills`. */
  async onlineWithSkills(skills: readonly string[]): Promise<AgentRecord[]> {
    const filter: Record<string, unknown> = { online: true };
    if (skills.length > 0) filter.skills = { $all: skills };
    const agents = await this.model.find(filter).lean<AgentRecord[]>();
    return agents.map((agent) => ({ ...agent, activeTickets: agent.activeTickets ?? 0 }));
  }

  /** Upserts the agents of a seed file; returns their ids. */
  async seedFromFile(text: string): Promise<string[]> {
    const { agents } = seedFileSchema.parse(JSON.parse(text));
    for (const agent of agents) await this.upsert(agent);
    return agents.map((agent) => agent._id);
  }
}
