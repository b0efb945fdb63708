import { Schema, type Connection, type Model } from 'mongoose';
import { z } from 'zod';

const seedFileSchema = z.object({
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

export interface AgentRecord {
  _id: string;
  name: string;
  skills: string[];
  capacity: number;
  online: boolean;
  updatedAt: Date;
}

const agentSchema = new Schema<AgentRecord>(
  {
    _id: { type: String, required: true },
    name: { type: String, required: true },
    skills: { type: [String], default: [] },
    capacity: { type: Number, required: true, min: 1 },
    online: { type: Boolean, default: true },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'agents', versionKey: false },
);

export class AgentRepository {
  private readonly model: Model<AgentRecord>;

  constructor(connection: Connection) {
    this.model =
      (connection.models.Agent as Model<AgentRecord> | undefined) ?? connection.model('Agent', agentSchema);
  }

  async findById(id: string): Promise<AgentRecord | null> {
    return this.model.findById(id).lean<AgentRecord>();
  }

  async upsert(agent: Omit<AgentRecord, 'updatedAt'>): Promise<void> {
    const { _id, ...fields } = agent;
    await this.model.updateOne({ _id }, { $set: { ...fields, updatedAt: new Date() } }, { upsert: true });
  }

  /** Upserts the agents of a seed file; returns their ids. */
  async seedFromFile(text: string): Promise<string[]> {
    const { agents } = seedFileSchema.parse(JSON.parse(text));
    for (const agent of agents) await this.upsert(agent);
    return agents.map((agent) => agent._id);
  }
}
