// The GPT kernels of gpt_kernels.py in CUDA C++: the online softmax, LayerNorm forward and fused
// attention, line for line as in Python. Rows are contiguous (row-major); the block reductions
// need a power-of-two block size. The compile check builds this file with nvcc for sm_90.

#include <math.h>

// The maximum of `value` over the block's threads, returned to every thread.
__device__ float block_max(float* buf, float value) {
    int t = threadIdx.x;
    buf[t] = value;
    __syncthreads();
    for (int stride = blockDim.x / 2; stride > 0; stride /= 2) {
        if (t < stride) {
            buf[t] = fmaxf(buf[t], buf[t + stride]);
        }
        __syncthreads();
    }
    float result = buf[0];
    __syncthreads();  // everyone has read buf[0] before buf is reused
    return result;
}

// The sum of `value` over the block's threads, returned to every thread.
__device__ float block_sum(float* buf, float value) {
    int t = threadIdx.x;
    buf[t] = value;
    __syncthreads();
    for (int stride = blockDim.x / 2; stride > 0; stride /= 2) {
        if (t < stride) {
            buf[t] += buf[t + stride];
        }
        __syncthreads();
    }
    float result = buf[0];
    __syncthreads();
    return result;
}

// Combine two running (maximum, sum of exp(x - maximum)) pairs.
__device__ void online_merge(float& m, float& d, float m2, float d2) {
    float m_new = fmaxf(m, m2);
    if (m_new == -INFINITY) {
        d = 0.0f;
    } else {
        d = d * expf(m - m_new) + d2 * expf(m2 - m_new);
    }
    m = m_new;
}

// One block of THREADS threads per row: the maximum and the sum in one pass, then the output.
template <int THREADS>
__global__ void softmax_online(const float* x, float* out, int cols) {
    __shared__ float buf_m[THREADS];
    __shared__ float buf_d[THREADS];
    const float* row = x + (size_t)blockIdx.x * cols;
    int t = threadIdx.x;
    float m = -INFINITY, d = 0.0f;
    for (int j = t; j < cols; j += THREADS) {
        online_merge(m, d, row[j], 1.0f);  // one value x is the pair (x, exp(x - x) = 1)
    }
    buf_m[t] = m;
    buf_d[t] = d;
    __syncthreads();
    for (int stride = THREADS / 2; stride > 0; stride /= 2) {
        if (t < stride) {
            online_merge(buf_m[t], buf_d[t], buf_m[t + stride], buf_d[t + stride]);
        }
        __syncthreads();
    }
    m = buf_m[0];
    d = buf_d[0];
    for (int j = t; j < cols; j += THREADS) {
        out[(size_t)blockIdx.x * cols + j] = expf(row[j] - m) / d;
    }
}

// One block per row, two passes: the mean, then the mean squared deviation.
template <int THREADS>
__global__ void layernorm_forward(const float* x, const float* weight, const float* bias,
                                  float eps, float* out, float* mean, float* rstd, int cols) {
    __shared__ float buf[THREADS];
    const float* row = x + (size_t)blockIdx.x * cols;
    int t = threadIdx.x;
    float s = 0.0f;
    for (int j = t; j < cols; j += THREADS) {
        s += row[j];
    }
    float mu = block_sum(buf, s) / cols;
    s = 0.0f;
    for (int j = t; j < cols; j += THREADS) {
        s += (row[j] - mu) * (row[j] - mu);
    }
    float r = rsqrtf(block_sum(buf, s) / cols + eps);
    for (int j = t; j < cols; j += THREADS) {
        out[(size_t)blockIdx.x * cols + j] = (row[j] - mu) * r * weight[j] + bias[j];
    }
    if (t == 0) {
        mean[blockIdx.x] = mu;
        rstd[blockIdx.x] = r;
    }
}

// softmax(q k^T * scale) v for TILE queries of one head per block, a thread per query, over
// tiles of TILE keys, with the online softmax; the T x T scores are never written.
template <int TILE, int D>
__global__ void attention(const float* q, const float* k, const float* v, float* out,
                          float scale, bool causal, int T) {
    __shared__ float sQ[TILE][D];
    __shared__ float sK[TILE][D];
    __shared__ float sV[TILE][D];
    float acc[D];  // this query's output, unnormalised
    float s[TILE];  // its scores against one tile of keys
    size_t head = (size_t)blockIdx.y * T * D;
    int t = threadIdx.x;
    int q0 = blockIdx.x * TILE;
    int i = q0 + t;
    for (int e = t; e < TILE * D; e += TILE) {
        int r = e / D, c = e % D;
        sQ[r][c] = q0 + r < T ? q[head + (size_t)(q0 + r) * D + c] * scale : 0.0f;
    }
    for (int c = 0; c < D; ++c) {
        acc[c] = 0.0f;
    }
    float m = -INFINITY, d = 0.0f;
    int end = causal ? min(T, q0 + TILE) : T;
    for (int k0 = 0; k0 < end; k0 += TILE) {
        for (int e = t; e < TILE * D; e += TILE) {
            int r = e / D, c = e % D;
            bool inside = k0 + r < T;
            sK[r][c] = inside ? k[head + (size_t)(k0 + r) * D + c] : 0.0f;
            sV[r][c] = inside ? v[head + (size_t)(k0 + r) * D + c] : 0.0f;
        }
        __syncthreads();
        float m_tile = -INFINITY;
        for (int j = 0; j < TILE; ++j) {
            float score = -INFINITY;
            if (k0 + j < T && (!causal || k0 + j <= i)) {
                score = 0.0f;
                for (int c = 0; c < D; ++c) {
                    score += sQ[t][c] * sK[j][c];
                }
            }
            s[j] = score;
            m_tile = fmaxf(m_tile, score);
        }
        float m_new = fmaxf(m, m_tile);
        if (m_new > -INFINITY) {
            float correction = expf(m - m_new);
            d *= correction;
            for (int c = 0; c < D; ++c) {
                acc[c] *= correction;
            }
            for (int j = 0; j < TILE; ++j) {
                float p = expf(s[j] - m_new);
                d += p;
                for (int c = 0; c < D; ++c) {
                    acc[c] += p * sV[j][c];
                }
            }
            m = m_new;
        }
        __syncthreads();
    }
    if (i < T) {
        for (int c = 0; c < D; ++c) {
            out[head + (size_t)i * D + c] = acc[c] / d;
        }
    }
}

template __global__ void softmax_online<128>(const float*, float*, int);
template __global__ void layernorm_forward<128>(const float*, const float*, const float*, float,
                                                float*, float*, float*, int);
template __global__ void attention<32, 64>(const float*, const float*, const float*, float*, float,
                                           bool, int);
