// Reads a dataset in the Morpheus file format (see docs/ml.md) into a normalized matrix and its target.
#pragma once

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/nmatrix/nmatrix.hpp"

namespace bench {

inline std::vector<double> read_column(const std::string& path) {
  std::ifstream f(path);
  if (!f) throw std::runtime_error("cannot open " + path);
  std::string line;
  std::getline(f, line);  // header "V1"
  std::vector<double> v;
  while (std::getline(f, line)) {
    if (line.empty()) continue;
    if (line.front() == '"') line = line.substr(1, line.size() - 2);
    v.push_back(std::stod(line));
  }
  return v;
}

inline morpheus::nm::Block read_matrix_market(const std::string& path) {
  std::ifstream f(path);
  if (!f) throw std::runtime_error("cannot open " + path);
  std::string line;
  std::getline(f, line);
  const bool pattern = line.find("pattern") != std::string::npos;
  do std::getline(f, line);
  while (!line.empty() && line[0] == '%');
  std::int64_t n = 0, d = 0, nnz = 0;
  std::istringstream(line) >> n >> d >> nnz;
  std::vector<std::int64_t> ri, ci;
  std::vector<double> v;
  ri.reserve(static_cast<size_t>(nnz));
  ci.reserve(static_cast<size_t>(nnz));
  v.reserve(static_cast<size_t>(nnz));
  std::int64_t r = 0, c = 0;
  double x = 1;
  while (f >> r >> c) {
    if (!pattern) f >> x;
    ri.push_back(r - 1);
    ci.push_back(c - 1);
    v.push_back(x);
  }
  return morpheus::nm::sparse_block(n, d, ri, ci, v, path.c_str());
}

struct Dataset {
  std::string name;
  morpheus::nm::NormalizedMatrix t;
  Eigen::VectorXd y;
};

inline bool exists(const std::string& p) { return std::ifstream(p).good(); }

inline Dataset load_dataset(const std::string& dir, const std::string& name) {
  const std::string base = dir + "/" + name + "/";
  Dataset ds;
  ds.name = name;
  const std::vector<double> y = read_column(base + "MLY.csv");
  ds.y = Eigen::Map<const Eigen::VectorXd>(y.data(), static_cast<Eigen::Index>(y.size()));
  const auto n = static_cast<std::int64_t>(y.size());
  if (exists(base + "MLSSparse.txt")) {
    ds.t = morpheus::nm::NormalizedMatrix::from_entity(read_matrix_market(base + "MLSSparse.txt"));
  } else if (exists(base + "MLSraw.txt")) {
    const std::vector<double> s = read_column(base + "MLSraw.txt");
    ds.t = morpheus::nm::NormalizedMatrix::from_entity(
        morpheus::nm::Block(morpheus::RowMatrix(Eigen::Map<const morpheus::RowMatrix>(s.data(), n, 1))));
  } else {
    ds.t = morpheus::nm::NormalizedMatrix::with_rows(n);
  }
  for (int i = 1; exists(base + "MLFK" + std::to_string(i) + ".csv"); ++i) {
    const std::vector<double> fk = read_column(base + "MLFK" + std::to_string(i) + ".csv");
    std::vector<std::int32_t> idx(fk.size());
    for (size_t k = 0; k < fk.size(); ++k) idx[k] = static_cast<std::int32_t>(fk[k]) - 1;
    ds.t.join(std::move(idx), read_matrix_market(base + "MLR" + std::to_string(i) + "Sparse.txt"));
  }
  return ds;
}

}  // namespace bench
