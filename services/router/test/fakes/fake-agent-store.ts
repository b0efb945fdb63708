import type { Agent, AgentStore } from '../../src/domain/ports';

/** Agents in memory, with the capacity counter's atomic rules (ADR 0003). Reads answer copies. */
export class FakeAgentStore implements AgentStore {
  private readonly agents = new Map<string, Agent>();

  constructor(private readonly now: () => Date) {}

  put(agent: Pick<Agent, '_id'> & Partial<Agent>): void {
    this.agents.set(agent._id, {
      name: agent._id,
      skills: [],
      capacity: 3,
      online: true,
      activeTickets: 0,
      ...agent,
    });
  }

  private answer(agent: Agent | undefined): Agent | null {
    return agent ? structuredClone(agent) : null;
  }

  private takeSlot(agent: Agent | undefined): Agent | null {
    if (!agent || agent.activeTickets >= agent.capacity) return null;
    agent.activeTickets++;
    agent.activeTicketsChangedAt = this.now();
    return this.answer(agent);
  }

  async list(): Promise<Agent[]> {
    return [...this.agents.values()].map((agent) => structuredClone(agent));
  }

  async findById(id: string): Promise<Agent | null> {
    return this.answer(this.agents.get(id));
  }

  async reserveIfOnline(id: string): Promise<Agent | null> {
    const agent = this.agents.get(id);
    return agent?.online ? this.takeSlot(agent) : null;
  }

  async reserve(id: string): Promise<boolean> {
    return this.takeSlot(this.agents.get(id)) !== null;
  }

  async release(id: string): Promise<Agent | null> {
    const agent = this.agents.get(id);
    if (!agent || agent.activeTickets === 0) return null;
    agent.activeTickets--;
    agent.activeTicketsChangedAt = this.now();
    return this.answer(agent);
  }

  async correctCount(id: string, expected: number, actual: number, quietBefore: Date): Promise<boolean> {
    const agent = this.agents.get(id);
    const changedAt = agent?.activeTicketsChangedAt?.getTime() ?? 0;
    if (!agent || agent.activeTickets !== expected || changedAt >= quietBefore.getTime()) return false;
    agent.activeTickets = actual;
    agent.activeTicketsChangedAt = this.now();
    return true;
  }

  async onlineWithSkills(skills: readonly string[]): Promise<Agent[]> {
    return [...this.agents.values()]
      .filter((agent) => agent.online && skills.every((skill) => agent.skills.includes(skill)))
      .map((agent) => structuredClone(agent));
  }

  async setOnline(id: string, online: boolean): Promise<Agent | null> {
    const agent = this.agents.get(id);
    if (agent) agent.online = online;
    return this.answer(agent);
  }
}
