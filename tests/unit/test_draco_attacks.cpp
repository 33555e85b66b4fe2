// DRACO attacks against their definitions (sign flip, ALIE, IPM, constant) and ALIE's z_max.
#include "test_draco_util.hpp"

TEST(DracoAttacks, Definitions) {
  dr::Messages m;
  m.re = randn(6, 4, 2);
  const RowMatrix orig = m.re;
  morpheus::Rng rng(1);
  const std::vector<int> adv{1, 4};
  Vector mu = Vector::Zero(4), sd = Vector::Zero(4);
  for (int i : {0, 2, 3, 5}) mu += orig.row(i).transpose() / 4;
  for (int i : {0, 2, 3, 5}) sd += (orig.row(i).transpose() - mu).cwiseAbs2() / 3;
  sd = sd.cwiseSqrt();
  dr::Messages a = m;
  dr::apply_attack(dr::Attack::SignFlip, 100, adv, a, rng);
  EXPECT_EQ(a.re.row(1), (-100 * orig.row(1)).eval());
  EXPECT_EQ(a.re.row(0), orig.row(0));
  a = m;
  dr::apply_attack(dr::Attack::Alie, 1.5, adv, a, rng);
  EXPECT_LT((a.re.row(4).transpose() - (mu - 1.5 * sd)).norm(), 1e-14);
  a = m;
  dr::apply_attack(dr::Attack::Ipm, 0.1, adv, a, rng);
  EXPECT_LT((a.re.row(1).transpose() + 0.1 * mu).norm(), 1e-14);
  a = m;
  dr::apply_attack(dr::Attack::Constant, -100, adv, a, rng);
  EXPECT_EQ(a.re.row(4), Eigen::RowVectorXd::Constant(4, -100.0));
  // ALIE's z_max: n = 50, m = 12 (Baruch et al.): s' = 14, Phi^{-1}(24/38) = 0.33569...
  EXPECT_NEAR(dr::alie_z(50, 12), 0.3356, 1e-3);
  EXPECT_NEAR(dr::alie_z(20, 0), -0.1256613468550741, 1e-12);  // s' = 11: Phi^{-1}(9/20)
}
