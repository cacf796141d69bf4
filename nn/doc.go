// Package nn is deep4deep's neural-network engine: the convolutional network
// family of DESIGN §4.1 (conv 3×3 SAME → batch norm → ReLU blocks with max
// pooling, dense layers with dropout, softmax cross-entropy) with forward and
// backward passes and the Adam optimiser, fast enough to train on a laptop
// CPU.
//
// # Why its own engine
//
// Go has no training framework that fits: GoMLX's pure-Go backend lacks
// gradients for convolution, batch norm and pooling and is far slower than
// PyTorch, and Gorgonia is unmaintained. This package does one family of
// networks and does it fast: it uses PyTorch's semantics and tensor names
// (so weights load into the reference network in ../shared/bench/torch_cnn.py
// unchanged) and is built to outrun PyTorch on the CPU with a layout designed
// for it (BenchmarkCNNTrain and BenchmarkCNNInfer against torch_cnn.py bench).
//
// # Use
//
//	net, err := nn.New(nn.DefaultArch(), seed)   // PyTorch default init
//	opt := nn.NewAdam(net, 1e-3)
//	loss, correct, err := net.TrainStep(x, labels, opt)  // one batch
//	err = net.Logits(x, batch, out)              // inference, out: batch×Classes
//	loss, correct, err = net.Loss(x, labels)     // inference-mode loss (dev set)
//	tensors := net.Tensors()                     // PyTorch state_dict names
//	err = net.SetTensors(tensors)
//
// Input batches are x []float32 of batch·InputHeight·InputWidth values,
// row-major [n][h][w] (h = filterbank dimension, w = time): exactly PyTorch's
// N×1×H×W. Labels are class indices (0 = spoof, 1 = genuine).
//
// For a bit-exact resume, checkpoint Net.Tensors, Adam.Tensors (moments and
// step count) and Net.RNGState (the dropout generator), and restore them with
// SetTensors, Adam.SetTensors and SetRNGState. Results are deterministic for
// a given seed and thread count (SetThreads; default GOMAXPROCS).
//
// Buffers grow to the largest batch seen and are reused: after the first
// step of a given size, TrainStep allocates nothing.
//
// # Design for speed
//
// Feature maps are stored channel-major over the whole batch with one shared
// zero row and column of padding (layout.go), which turns every 3×3 SAME
// convolution, forward and backward-data, into one matrix product whose B
// rows are shifted views of the input channels, with no im2col copy; dense
// layers are feature-major so they are the same product. Three kinds of
// register-tiled kernels do all the arithmetic (kernels.go): a 4×nr GEMM
// tile (optionally with the inference batch norm, ReLU and pad mask fused
// into its store), a 4×dc dot-product tile for the weight gradients, and
// the element-wise batch-norm passes and max pools (elem.go). On amd64
// they are Go assembly chosen at start-up by CPU feature, as hash/crc32
// does: AVX-512 (4×48 GEMM, 4×6 dot) where available, else AVX2 and FMA
// (4×24, 4×3); the pure-Go versions serve every other CPU and the purego
// build tag, and the tests run every available set against each other and
// through the gradient checks and the PyTorch parity test. No cgo.
//
// Training splits every pass across the worker goroutines by batch position
// or by channel, with a fixed split so that results do not depend on
// scheduling (the weight-gradient partial sums are added in thread order).
// Inference gives each worker its own copy of the layer buffers and runs
// 48-sample micro-batches through the whole network without any
// synchronisation, so that activations stay in the core's cache.
package nn
