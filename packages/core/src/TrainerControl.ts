/**
 * Control flow as a data object (transformers' TrainerControl): plugins flip flags, the loop reads them.
 * `shouldStop` is sticky; `shouldSave`, `shouldValidate` and `shouldLog` are reset before every optimizer step.
 */
export class TrainerControl {
  /** End the run after the current optimizer step. Never reset. */
  shouldStop = false;
  /** Why the run was asked to stop, for the log. */
  stopReason: string | undefined;
  /** Save a checkpoint (the saveState hook) after this step. */
  shouldSave = false;
  /** Run validation (the validate hook) after this step. */
  shouldValidate = false;
  /** Emit this step's metrics. */
  shouldLog = false;

  /** Ask the run to stop after the current step. The first reason given is kept. */
  requestStop(reason: string): void {
    if (!this.shouldStop) this.stopReason = reason;
    this.shouldStop = true;
  }

  /** Reset the per-step flags; called by the trainer before each optimizer step. */
  resetStep(): void {
    this.shouldSave = false;
    this.shouldValidate = false;
    this.shouldLog = false;
  }
}
