"""The official Jupyter conformance suite (jupyter_kernel_test 0.7.0) against the lrlab kernel.
Every attribute is filled, so no test of the suite is skipped."""
import unittest

import jupyter_kernel_test


class LrlabKernelTests(jupyter_kernel_test.KernelTests):
    kernel_name = "lrlab"
    language_name = "typescript"
    file_extension = ".ts"

    code_hello_world = 'console.log("hello, world")'
    code_stderr = 'console.error("some error")'

    completion_samples = [
        {"text": "torch.optim.lr_scheduler.Cos", "matches": {"CosineAnnealingLR", "CosineAnnealingWarmRestarts"}},
        {"text": "Math.PI.toFix", "matches": {"toFixed"}},
    ]

    complete_code_samples = ["1 + 1", "const x = 2;", "function f() { return 1; }", "%lsmagic"]
    incomplete_code_samples = ["function f() {", "const a = [1, 2,", "if (true) {\n  console.log(1);"]
    invalid_code_samples = ["const = 5;", "1 +* 2", "let let = );"]

    code_page_something = "Math.max?"

    code_generate_error = 'throw new Error("boom")'

    code_execute_result = [
        {"code": "6 * 7", "result": "42"},
        {"code": '"lr" + "lab"', "result": "'lrlab'"},
        {"code": "torch.tensor([1, 2])", "result": "tensor([1., 2.])"},
    ]

    code_display_data = [
        {"code": 'display({ "text/html": "<b>hi</b>" }, { raw: true })', "mime": "text/html"},
        {"code": 'display(lrlab.preview((o) => new torch.optim.lr_scheduler.StepLR(o, { step_size: 3, gamma: 0.5 }), { steps: 10 }))',
         "mime": "application/vnd.lrlab.plot+json"},
    ]

    # matches exactly one of the code_execute_result inputs ("6 * 7")
    code_history_pattern = "6 ?*"
    supported_history_operations = ("tail", "range", "search")

    code_inspect_sample = "torch.optim.Adam"

    code_clear_output = "clear_output()"


if __name__ == "__main__":
    unittest.main()
