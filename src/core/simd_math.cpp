#include "core/simd_math.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

#if defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
#define MORPHEUS_SIMD_AVX2 1
#endif

namespace morpheus::simd {
namespace {

constexpr double kLog2e = 1.4426950408889634074;
constexpr double kLn2Hi = 6.93147180369123816490e-01;  // fdlibm's split of ln 2
constexpr double kLn2Lo = 1.90821492927058770002e-10;
constexpr double kMagic = 6755399441055744.0;  // 1.5 * 2^52: adding it rounds to an integer in the low bits
constexpr double kMinArg = -745.2;
constexpr double kSqrt2 = 1.41421356237309504880;
// exp(r) on |r| <= ln2/2: Taylor coefficients 1/k!, k = 13 .. 2 (error below 1e-17 relative).
constexpr double kExpC[] = {1.0 / 6227020800.0, 1.0 / 479001600.0, 1.0 / 39916800.0, 1.0 / 3628800.0,
                            1.0 / 362880.0,     1.0 / 40320.0,     1.0 / 5040.0,     1.0 / 720.0,
                            1.0 / 120.0,        1.0 / 24.0,        1.0 / 6.0,        0.5};
// log(1 + f) = 2 s (1 + s^2/3 + s^4/5 + ...), s = f / (2 + f), |s| <= 0.1716: coefficients 1/(2m+1), m = 10 .. 1.
constexpr double kLogC[] = {1.0 / 21, 1.0 / 19, 1.0 / 17, 1.0 / 15, 1.0 / 13,
                            1.0 / 11, 1.0 / 9,  1.0 / 7,  1.0 / 5,  1.0 / 3};

std::int64_t bits_of(double v) {
  std::int64_t b;
  std::memcpy(&b, &v, sizeof b);
  return b;
}
double from_bits(std::int64_t b) {
  double v;
  std::memcpy(&v, &b, sizeof v);
  return v;
}

double exp_scalar(double x) {
  x = std::max(x, kMinArg);
  const double t = std::fma(x, kLog2e, kMagic);
  const double nd = t - kMagic;
  const std::int64_t ni = bits_of(t) - bits_of(kMagic);  // round(x log2 e), <= 0
  double r = std::fma(-nd, kLn2Hi, x);
  r = std::fma(-nd, kLn2Lo, r);
  double p = kExpC[0];
  for (int k = 1; k < 12; ++k) p = std::fma(p, r, kExpC[k]);
  p = std::fma(p, r, 1.0);
  p = std::fma(p, r, 1.0);
  const std::int64_t n1 = -((-ni) >> 1), n2 = ni - n1;  // 2^n in two factors: no overflow of the exponent field
  return p * from_bits((n1 + 1023) << 52) * from_bits((n2 + 1023) << 52);
}

// log1p(e) given u = 1 + e (rounded) and inv = 1 / u.
double log1p_scalar(double e, double u, double inv) {
  const double err = e - (u - 1.0);  // rounding error of u; log1p(e) = log(u) + err / u to first order
  const bool big = u > kSqrt2;
  const double f = big ? u * 0.5 - 1.0 : u - 1.0;
  const double s = f / (2.0 + f);
  const double s2 = s * s;
  double p = kLogC[0];
  for (int k = 1; k < 10; ++k) p = std::fma(p, s2, kLogC[k]);
  p = std::fma(p, s2, 1.0);
  const double s2x = 2.0 * s;  // explicit fma below, as in the vector code: no contraction can differ
  const double lg = big ? std::fma(s2x, p, std::fma(1.0, kLn2Hi, kLn2Lo)) : s2x * p;
  return std::fma(err, inv, lg);
}

double log1p_scalar(double e) {
  const double u = 1.0 + e;
  return log1p_scalar(e, u, 1.0 / u);
}

#ifdef MORPHEUS_SIMD_AVX2
inline __m256d exp_avx2(__m256d x) {
  x = _mm256_max_pd(x, _mm256_set1_pd(kMinArg));
  const __m256d magic = _mm256_set1_pd(kMagic);
  const __m256d t = _mm256_fmadd_pd(x, _mm256_set1_pd(kLog2e), magic);
  const __m256d nd = _mm256_sub_pd(t, magic);
  const __m256i ni = _mm256_sub_epi64(_mm256_castpd_si256(t), _mm256_castpd_si256(magic));
  __m256d r = _mm256_fnmadd_pd(nd, _mm256_set1_pd(kLn2Hi), x);
  r = _mm256_fnmadd_pd(nd, _mm256_set1_pd(kLn2Lo), r);
  __m256d p = _mm256_set1_pd(kExpC[0]);
  for (int k = 1; k < 12; ++k) p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(kExpC[k]));
  const __m256d one = _mm256_set1_pd(1.0);
  p = _mm256_fmadd_pd(p, r, one);
  p = _mm256_fmadd_pd(p, r, one);
  const __m256i zero = _mm256_setzero_si256();
  const __m256i n1 = _mm256_sub_epi64(zero, _mm256_srli_epi64(_mm256_sub_epi64(zero, ni), 1));
  const __m256i n2 = _mm256_sub_epi64(ni, n1);
  const __m256i bias = _mm256_set1_epi64x(1023);
  const __m256d s1 = _mm256_castsi256_pd(_mm256_slli_epi64(_mm256_add_epi64(n1, bias), 52));
  const __m256d s2 = _mm256_castsi256_pd(_mm256_slli_epi64(_mm256_add_epi64(n2, bias), 52));
  return _mm256_mul_pd(_mm256_mul_pd(p, s1), s2);
}

inline __m256d log1p_avx2(__m256d e, __m256d u, __m256d inv) {
  const __m256d one = _mm256_set1_pd(1.0);
  const __m256d err = _mm256_sub_pd(e, _mm256_sub_pd(u, one));
  const __m256d big = _mm256_cmp_pd(u, _mm256_set1_pd(kSqrt2), _CMP_GT_OQ);
  const __m256d f =
      _mm256_blendv_pd(_mm256_sub_pd(u, one), _mm256_sub_pd(_mm256_mul_pd(u, _mm256_set1_pd(0.5)), one), big);
  const __m256d s = _mm256_div_pd(f, _mm256_add_pd(_mm256_set1_pd(2.0), f));
  const __m256d s2 = _mm256_mul_pd(s, s);
  __m256d p = _mm256_set1_pd(kLogC[0]);
  for (int k = 1; k < 10; ++k) p = _mm256_fmadd_pd(p, s2, _mm256_set1_pd(kLogC[k]));
  p = _mm256_fmadd_pd(p, s2, one);
  const __m256d s2x = _mm256_mul_pd(_mm256_set1_pd(2.0), s);
  const __m256d ln2 = _mm256_set1_pd(std::fma(1.0, kLn2Hi, kLn2Lo));
  const __m256d withk = _mm256_blendv_pd(_mm256_mul_pd(s2x, p), _mm256_fmadd_pd(s2x, p, ln2), big);
  return _mm256_fmadd_pd(err, inv, withk);
}

inline __m256d log1p_avx2(__m256d e) {
  const __m256d u = _mm256_add_pd(_mm256_set1_pd(1.0), e);
  return log1p_avx2(e, u, _mm256_div_pd(_mm256_set1_pd(1.0), u));
}
#endif

void logistic_scalar(double z, double* loss, double* s) {
  const double e = exp_scalar(-std::fabs(z));
  const double u = 1.0 + e, inv = 1.0 / u;
  *loss = std::max(0.0 - z, 0.0) + log1p_scalar(e, u, inv);
  *s = z >= 0 ? e * inv : inv;
}

}  // namespace

void exp_nonpositive(const double* x, double* out, std::int64_t n) {
  std::int64_t i = 0;
#ifdef MORPHEUS_SIMD_AVX2
  for (; i + 4 <= n; i += 4) _mm256_storeu_pd(out + i, exp_avx2(_mm256_loadu_pd(x + i)));
#endif
  for (; i < n; ++i) out[i] = exp_scalar(x[i]);
}

void log1p_unit(const double* e, double* out, std::int64_t n) {
  std::int64_t i = 0;
#ifdef MORPHEUS_SIMD_AVX2
  for (; i + 4 <= n; i += 4) _mm256_storeu_pd(out + i, log1p_avx2(_mm256_loadu_pd(e + i)));
#endif
  for (; i < n; ++i) out[i] = log1p_scalar(e[i]);
}

void logistic_terms(const double* z, double* loss, double* s, std::int64_t n) {
  std::int64_t i = 0;
#ifdef MORPHEUS_SIMD_AVX2
  const __m256d sign = _mm256_set1_pd(-0.0);
  const __m256d one = _mm256_set1_pd(1.0);
  const __m256d zero = _mm256_setzero_pd();
  for (; i + 4 <= n; i += 4) {
    const __m256d zv = _mm256_loadu_pd(z + i);
    const __m256d e = exp_avx2(_mm256_or_pd(zv, sign));  // exp(-|z|)
    const __m256d u = _mm256_add_pd(one, e);
    const __m256d inv = _mm256_div_pd(one, u);  // shared by the loss and the sigmoid
    const __m256d l = _mm256_add_pd(_mm256_max_pd(_mm256_sub_pd(zero, zv), zero), log1p_avx2(e, u, inv));
    const __m256d pos = _mm256_cmp_pd(zv, zero, _CMP_GE_OQ);
    _mm256_storeu_pd(loss + i, l);
    _mm256_storeu_pd(s + i, _mm256_blendv_pd(inv, _mm256_mul_pd(e, inv), pos));
  }
#endif
  for (; i < n; ++i) logistic_scalar(z[i], loss + i, s + i);
}

}  // namespace morpheus::simd
