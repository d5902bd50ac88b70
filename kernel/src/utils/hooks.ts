/**
 * `torch.utils.hooks`: `RemovableHandle`, what every hook registration returns (an optimizer's
 * step hooks and the global ones, a module's forward hooks), as in PyTorch.
 */

/** `torch.utils.hooks.RemovableHandle`: `remove()` unregisters the hook (idempotent). */
export class RemovableHandle {
  private static nextId = 0;
  /** The hook's key in its registry (the registry keeps hooks in insertion order). */
  readonly id: number;
  constructor(private readonly registry: Map<number, unknown>) {
    this.id = RemovableHandle.nextId++;
  }
  remove(): void {
    this.registry.delete(this.id);
  }
}
