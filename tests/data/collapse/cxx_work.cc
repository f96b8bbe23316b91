// SPDX-License-Identifier: GPL-2.0
// Source of cxx.perf.txt.gz: templates and namespaces for the demangler.
// g++ -O1 -g -fno-omit-frame-pointer -fno-inline -o cxx_work cxx_work.cc
#include <cstdlib>
#include <vector>

namespace shapes {
template <typename T> struct Area {
	__attribute__((noinline)) static T compute(const std::vector<T> &v)
	{
		T s = 0;
		for (int r = 0; r < 2000; r++)
			for (auto x : v)
				s += x * x / (r + 1);
		return s;
	}
};
namespace {
__attribute__((noinline)) long helper(long n)
{
	std::vector<long> v(n, 3);
	return Area<long>::compute(v);
}
}
__attribute__((noinline)) double run(int n)
{
	std::vector<double> v(n, 1.5);
	return Area<double>::compute(v) + helper(n);
}
} // namespace shapes

int main(int argc, char **argv)
{
	double t = 0;
	for (int i = 0; i < 40; i++)
		t += shapes::run(argc > 1 ? atoi(argv[1]) : 20000);
	return t < 0;
}
