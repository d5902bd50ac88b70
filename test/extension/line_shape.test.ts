import { describe, expect, it } from "vitest";
import { lineShape } from "../../extension/src/figure";

describe("line shapes", () => {
  it("draws scheduler-set values (lr, momentum) as steps and measured metrics as lines", () => {
    expect(lineShape("lr")).toBe("hv");
    expect(lineShape("momentum")).toBe("hv");
    expect(lineShape("lr_projected")).toBe("linear");
    expect(lineShape("loss")).toBe("linear");
  });
});
