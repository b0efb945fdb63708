import { customerHistories, type CustomerHistoryDocument } from '@triage/shared/infra';
import type { Connection } from 'mongoose';

/**
 * Reads a customer's history document (ADR 0007): their complaints and the outcomes of the
 * resolved ones, one read by `_id`. The agent workspace shows it next to a ticket.
 */
export class CustomerHistoryReader {
  private readonly histories;

  constructor(connection: Connection) {
    this.histories = customerHistories(connection);
  }

  async findByCustomerId(customerId: string): Promise<CustomerHistoryDocument | null> {
    return this.histories.findOne({ _id: customerId });
  }
}
