// The training workloads of bench/workloads.cjs in TensorFlow.js (wasm backend): same models, sizes
// and step counts. Optional peer: run only when @tensorflow/tfjs and @tensorflow/tfjs-backend-wasm
// resolve. Prints one JSON object { version, backend, <workload>:
// { seconds, steps } } (the best of the repeats after a warm-up, as the other two files).
//
// tfjs-core has no nn.Module: a Linear layer is a weight [in, out] and a bias [out], initialised
// U(-1/√in, 1/√in) as torch.nn.Linear does. PyTorch's accumulation of gradients over `bs`
// backward() calls (seed Example 1) becomes a sum of `bs` tf.variableGrads results.
"use strict";
// tfjs-core's CommonJS build carries no gradient functions (its register_all_gradients is ESM only,
// with extensionless imports Node cannot load); the union package @tensorflow/tfjs registers them.
const tf = require("@tensorflow/tfjs");
require("@tensorflow/tfjs-backend-wasm");

const quick = process.argv.includes("--quick");
// The timing rule of bench/lib/measure.cjs, shared with the lrlab side.
const { measure, repeatsFor } = require("./lib/measure.cjs");
const repeats = repeatsFor(quick);

function linear(inF, outF) {
  const k = 1 / Math.sqrt(inF);
  return {
    w: tf.variable(tf.randomUniform([inF, outF], -k, k)),
    b: tf.variable(tf.randomUniform([outF], -k, k)),
  };
}
const apply = (l, x) => tf.add(tf.matMul(x, l.w), l.b);
const mse = (pred, y) => tf.mean(tf.square(tf.sub(pred, y)));
const disposeLayer = (...ls) => ls.forEach((l) => { l.w.dispose(); l.b.dispose(); });

const workloads = {
  seed_example1() {
    const m = linear(10, 1), x = tf.randomNormal([1, 10]), y = tf.randomNormal([1, 1]);
    let steps = 0;
    for (const bs of quick ? [32] : [32, 128, 512]) {
      const opt = tf.train.sgd(0.01);
      for (let s = 0; s < 10; s++) {
        let acc = null;
        for (let i = 0; i < bs; i++) {
          const { value, grads } = tf.variableGrads(() => mse(apply(m, x), y));
          value.dispose();
          if (acc === null) acc = grads;
          else for (const k of Object.keys(acc)) { const s2 = tf.add(acc[k], grads[k]); acc[k].dispose(); grads[k].dispose(); acc[k] = s2; }
        }
        opt.applyGradients(acc);
        tf.dispose(Object.values(acc));
        steps++;
      }
      opt.dispose();
    }
    tf.dispose([x, y]); disposeLayer(m);
    return steps;
  },
  seed_example2() {
    const m = linear(10, 1), x = tf.randomNormal([1, 10]), y = tf.randomNormal([1, 1]);
    const opt = tf.train.adam(0.01);
    for (let s = 0; s < 20; s++) opt.minimize(() => mse(apply(m, x), y));
    opt.dispose(); tf.dispose([x, y]); disposeLayer(m);
    return 20;
  },
  seed_example3() {
    const m = linear(10, 1), x = tf.randomNormal([1, 10]), y = tf.randomNormal([1, 1]);
    const opt = tf.train.sgd(0.1);
    for (let e = 0; e < 10; e++) {
      for (let s = 0; s < 10; s++) opt.minimize(() => mse(apply(m, x), y));
      opt.setLearningRate(0.1 * 0.5 ** Math.floor((e + 1) / 5)); // StepLR(step_size=5, gamma=0.5)
    }
    opt.dispose(); tf.dispose([x, y]); disposeLayer(m);
    return 100;
  },
  adam_linear() {
    const m = linear(10, 1), x = tf.randomNormal([32, 10]), y = tf.randomNormal([32, 1]);
    const opt = tf.train.adam(0.001);
    const n = quick ? 200 : 2000;
    for (let s = 0; s < n; s++) opt.minimize(() => mse(apply(m, x), y));
    opt.dispose(); tf.dispose([x, y]); disposeLayer(m);
    return n;
  },
  mlp_sgd_momentum() {
    const l1 = linear(784, 256), l2 = linear(256, 10);
    const x = tf.randomNormal([128, 784]);
    const labels = tf.oneHot(tf.randomUniform([128], 0, 10, "int32"), 10);
    const opt = tf.train.momentum(0.01, 0.9);
    const n = quick ? 5 : 20;
    for (let s = 0; s < n; s++) {
      opt.minimize(() => tf.losses.softmaxCrossEntropy(labels, apply(l2, tf.relu(apply(l1, x)))));
    }
    opt.dispose(); tf.dispose([x, labels]); disposeLayer(l1, l2);
    return n;
  },
  lenet_sgd_momentum() {
    // TF.js convolutions are NHWC with filters [kH, kW, in, out]: the same model in its layout.
    const conv = (cin, cout, k) => {
      const b = 1 / Math.sqrt(cin * k * k);
      return { w: tf.variable(tf.randomUniform([k, k, cin, cout], -b, b)), b: tf.variable(tf.randomUniform([cout], -b, b)) };
    };
    const c1 = conv(1, 6, 5), c2 = conv(6, 16, 5), l1 = linear(256, 120), l2 = linear(120, 84), l3 = linear(84, 10);
    const x = tf.randomNormal([64, 28, 28, 1]);
    const labels = tf.oneHot(tf.randomUniform([64], 0, 10, "int32"), 10);
    const opt = tf.train.momentum(0.01, 0.9);
    const block = (h, c) => tf.maxPool(tf.relu(tf.add(tf.conv2d(h, c.w, 1, "valid"), c.b)), 2, 2, "valid");
    const n = quick ? 2 : 10;
    for (let s = 0; s < n; s++) {
      opt.minimize(() => {
        const h = tf.reshape(block(block(x, c1), c2), [64, 256]);
        return tf.losses.softmaxCrossEntropy(labels, apply(l3, tf.relu(apply(l2, tf.relu(apply(l1, h))))));
      });
    }
    opt.dispose(); tf.dispose([x, labels]); disposeLayer(c1, c2, l1, l2, l3);
    return n;
  },
};

(async () => {
  await tf.setBackend("wasm");
  await tf.ready();
  const out = { version: tf.version_core, backend: tf.getBackend() };
  for (const [k, fn] of Object.entries(workloads)) {
    try {
      out[k] = measure(fn, repeats);
    } catch (e) {
      out[k] = { error: String(e.message ?? e).split("\n")[0] };
    }
  }
  console.log(JSON.stringify(out));
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
