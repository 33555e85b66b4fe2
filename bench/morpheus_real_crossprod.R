# R + Matrix peer of bench/morpheus_real.py for crossprod: the sparse Gram matrix T'T of one Morpheus dataset,
# materialized (crossprod of the sparse join, built before the clock starts) and factorized (the reference's
# Algorithm 2 with sparse blocks, as MorpheusR computes it). Prints one line: r_mat_ms r_fact_ms nnz sum.
#   Rscript bench/morpheus_real_crossprod.R DATASET_DIR
suppressMessages(library(Matrix))
args <- commandArgs(trailingOnly = TRUE)
d <- args[1]
col <- function(f) { x <- read.csv(file.path(d, f)); as.numeric(x[[1]]) }
mm <- function(f) as(readMM(file.path(d, f)), "CsparseMatrix") * 1
y <- col("MLY.csv"); n <- length(y)
fk <- list(); r <- list(); q <- 1
while (file.exists(file.path(d, sprintf("MLFK%d.csv", q)))) {
  fk[[q]] <- as.integer(col(sprintf("MLFK%d.csv", q))); r[[q]] <- mm(sprintf("MLR%dSparse.txt", q)); q <- q + 1
}
s <- NULL
if (file.exists(file.path(d, "MLSSparse.txt"))) s <- mm("MLSSparse.txt")
if (file.exists(file.path(d, "MLSraw.txt"))) s <- Matrix(col("MLSraw.txt"), ncol = 1, sparse = TRUE)
blocks <- c(if (is.null(s)) list() else list(s), r)
keys <- c(if (is.null(s)) list() else list(seq_len(n)), fk)
t_mat <- do.call(cbind, lapply(seq_along(blocks), function(i) blocks[[i]][keys[[i]], , drop = FALSE]))
t0 <- proc.time()[["elapsed"]]
g_mat <- crossprod(t_mat)
t_mat_ms <- 1000 * (proc.time()[["elapsed"]] - t0)
t0 <- proc.time()[["elapsed"]]
rows <- lapply(seq_along(blocks), function(i) {
  do.call(cbind, lapply(seq_along(blocks), function(j) {
    if (i == j) return(crossprod(Diagonal(x = sqrt(tabulate(keys[[i]], nrow(blocks[[i]])))) %*% blocks[[i]]))
    co <- sparseMatrix(i = keys[[i]], j = keys[[j]], x = 1, dims = c(nrow(blocks[[i]]), nrow(blocks[[j]])))
    crossprod(blocks[[i]], co %*% blocks[[j]])
  }))
})
g_fact <- do.call(rbind, rows)
t_fact_ms <- 1000 * (proc.time()[["elapsed"]] - t0)
cat(sprintf("%.1f %.1f %d %.17g %.17g\n", t_mat_ms, t_fact_ms, nnzero(g_mat), sum(g_mat), sum(g_fact)))
