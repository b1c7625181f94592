# Helpers of perfd's init scripts.
PERFD_OPTS="-q"
perfd_msg() {
    echo "perfd: $*"
}
