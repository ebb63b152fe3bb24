# Reference values from R spdep (Debian r-cran-spdep, installed by
# `make setup-references`), on the data in ../data/:
# - <set>_poly2nb_queen.csv, <set>_poly2nb_rook.csv: spdep poly2nb neighbour
#   sets (default snap), 0-based focal,neighbor (islands as a focal with no neighbour);
# - <set>_knearneigh4.csv, <set>_dnearneigh.csv (+ _threshold.txt):
#   knearneigh(k = 4) and dnearneigh(0, d) on the centroids GeoVote uses
#   (st_centroid, planar), d = 1.5 x the largest nearest-neighbour distance;
# - <set>_localmoran.csv: localmoran(x, nb2listw(queen, "W")) with
#   conditional = TRUE and FALSE: Ii, E.Ii, Var.Ii, Z.Ii, two-sided p.
# Run: Rscript Fixtures/reference/spdep/make_reference.R  (from the repository root)
suppressMessages({library(sf); library(spdep)})
sf_use_s2(FALSE)
here <- "Fixtures/reference/spdep"
data <- "Fixtures/reference/data"
header <- sprintf("# spdep %s, sf %s, R %s", packageVersion("spdep"), packageVersion("sf"), getRversion())

write_nb <- function(nb, path) {
  rows <- do.call(rbind, lapply(seq_along(nb), function(i) {
    j <- nb[[i]]
    j <- j[j > 0]
    if (length(j) == 0) data.frame(focal = i - 1, neighbor = NA) else data.frame(focal = i - 1, neighbor = j - 1)
  }))
  con <- file(path, "w"); writeLines(header, con); close(con)
  write.table(rows, path, sep = ",", row.names = FALSE, quote = FALSE, append = TRUE, na = "")
}

# knearneigh(k = 4) and dnearneigh(0, 1.5 x the largest nearest-neighbour
# distance) on the planar centroids (GEOS, as GeoVote's), or the points.
points_of <- function(x) {
  g <- st_geometry(x)
  if (all(st_geometry_type(g) == "POINT")) st_coordinates(g) else st_coordinates(st_centroid(g))
}
for (name in c("columbus", "NY8", "baltim", "tokyomet262", "virginia", "morocco")) {
  x <- st_read(file.path(data, paste0(name, ".shp")), quiet = TRUE)
  st_crs(x) <- NA
  xy <- points_of(x)[, 1:2]
  k4 <- knn2nb(knearneigh(xy, k = 4))
  nearest <- unlist(nbdists(knn2nb(knearneigh(xy, k = 1)), xy))
  threshold <- 1.5 * max(nearest)
  band <- dnearneigh(xy, 0, threshold)
  write_nb(k4, file.path(here, paste0(name, "_knearneigh4.csv")))
  write_nb(band, file.path(here, paste0(name, "_dnearneigh.csv")))
  con <- file(file.path(here, paste0(name, "_dnearneigh_threshold.txt")), "w")
  writeLines(c(header, sprintf("%.17g", threshold)), con); close(con)
}

sets <- list(columbus = "CRIME", NY8 = "PROPCAS", sids2 = NULL, boston_tracts = NULL, tokyomet262 = NULL, virginia = NULL, morocco = NULL, world = NULL)
for (name in names(sets)) {
  x <- st_read(file.path(data, paste0(name, ".shp")), quiet = TRUE)
  st_crs(x) <- NA
  queen <- poly2nb(x, queen = TRUE)
  rook <- poly2nb(x, queen = FALSE)
  write_nb(queen, file.path(here, paste0(name, "_poly2nb_queen.csv")))
  write_nb(rook, file.path(here, paste0(name, "_poly2nb_rook.csv")))
  if (!is.null(sets[[name]])) {
    v <- x[[sets[[name]]]]
    lw <- nb2listw(queen, style = "W", zero.policy = TRUE)
    c1 <- localmoran(v, lw, conditional = TRUE, zero.policy = TRUE)
    c0 <- localmoran(v, lw, conditional = FALSE, zero.policy = TRUE)
    out <- data.frame(i = seq_along(v) - 1,
                      Ii = c1[, 1], E_cond = c1[, 2], Var_cond = c1[, 3], Z_cond = c1[, 4], P_cond = c1[, 5],
                      E_total = c0[, 2], Var_total = c0[, 3], Z_total = c0[, 4], P_total = c0[, 5])
    path <- file.path(here, paste0(name, "_localmoran.csv"))
    con <- file(path, "w"); writeLines(c(header, sprintf("# localmoran(%s, nb2listw(poly2nb queen, 'W')), mlvar = TRUE", sets[[name]])), con); close(con)
    write.table(format(out, digits = 17), path, sep = ",", row.names = FALSE, quote = FALSE, append = TRUE)
  }
}
