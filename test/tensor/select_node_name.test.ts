/**
 * Basic indexing names its node as PyTorch 2.13 does: the last op applied (dim by dim, whole
 * slices skipped) is a select for an integer, a slice for a range. What PyTorch printed for
 * x = torch.randn(3, 4, requires_grad=True) is quoted with each case.
 */
import { describe, expect, it } from "vitest";
import * as torch from "../../kernel/src/tensor/index";

describe("grad_fn of integer and range indexing", () => {
  const x = torch.ones([3, 4], { requires_grad: true });
  const name = (t: torch.Tensor): string | undefined => t.grad_fn?.name();

  it("an integer index is a SelectBackward0, a range after the integers a SliceBackward0", () => {
    expect(name(x.index(0))).toBe("SelectBackward0"); // x[0]
    expect(name(x.index(-1))).toBe("SelectBackward0"); // x[-1]
    expect(name(x.index(0, ":"))).toBe("SelectBackward0"); // x[0, :]
    expect(name(x.index(":", 1))).toBe("SelectBackward0"); // x[:, 1]
    expect(name(x.index("1:3", 0))).toBe("SelectBackward0"); // x[1:3, 0]
    expect(name(x.index(0, "0:4"))).toBe("SelectBackward0"); // x[0, 0:4] (a whole slice is skipped)
    expect(name(x.index("...", 0))).toBe("SelectBackward0"); // x[..., 0]
    expect(name(x.index(1, 2))).toBe("SelectBackward0"); // x[1, 2]
    expect(name(x.index(0, "1:3"))).toBe("SliceBackward0"); // x[0, 1:3]
    expect(name(x.index("::2"))).toBe("SliceBackward0"); // x[::2]
    // x.select(1, -1) SelectBackward0; x.narrow(0, 0, 3) SliceBackward0; x.unbind(1)[2] UnbindBackward0
    expect(name(x.select(1, -1))).toBe("SelectBackward0");
    expect(name(x.narrow(0, 0, 3))).toBe("SliceBackward0");
    expect(name(x.unbind(1)[2])).toBe("UnbindBackward0");
  });
});
