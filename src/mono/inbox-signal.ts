import { Injectable } from '@nestjs/common';

/**
 * "There is inbox work now": lets the webhook controller and the link service wake the inbox processor without
 * depending on it (the processor depends on them).
 */
@Injectable()
export class InboxSignal {
  private listener: (() => void) | null = null;

  listen(listener: () => void): void {
    this.listener = listener;
  }

  kick(): void {
    this.listener?.();
  }
}
