// Models from the trainers outside core/ml: DRACO (core/draco) and the sweep networks (core/sweep).
//   DRACO GLMs     its layout is model.hpp's ([w_1 .. w_p, b] per class block); without intercept DRACO keeps only
//                  [w_1 .. w_p] per block, so the blocks are widened with a zero intercept and intercept is false.
//   DRACO mlp      its layout is core/sweep/mlp.hpp's (w[0], b[0], w[1], b[1], ...; w[l] out_l x in_l row-major,
//                  ReLU hidden layers, class scores out): the parameters are taken as they are.
//   sweep networks mlp and linear as they are; resnet with residual_scale alpha != 1 is folded into the parameters
//                  of the layers that feed a skip: relu(alpha (W h + b) + h') = relu((alpha W) h + alpha b + h'), so
//                  the stored parameters are those of the equivalent network with alpha = 1 (the model's options
//                  keep alpha).
#pragma once
#include "core/no_postgres.hpp"

#include <cstdint>
#include <vector>

#include "core/draco/learner.hpp"
#include "core/model/model.hpp"
#include "core/sweep/mlp.hpp"

namespace morpheus::model {

// weights: what draco::train left (the Learner's parameters); hidden: the mlp's hidden widths; classes: softmax and
// mlp class count (1 otherwise). A weight count that does not fit is an Internal error.
Model model_from_draco(draco::Family family, bool intercept, const std::vector<std::int64_t>& hidden,
                       std::int64_t features, std::int64_t classes, const std::vector<double>& weights, Provenance p);

// A trained sweep network (any family).
Model model_from_network(const sweep::Network& net, Provenance p);

}  // namespace morpheus::model
