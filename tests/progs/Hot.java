// Busy JVM for perf-flame's container tests: Hot.work is compiled at once;
// with a second argument, Late.spin is first run (and compiled) that many
// milliseconds into the run.
public class Hot {
	static long work(long n)
	{
		long s = 0;
		for (long i = 0; i < n; i++)
			s += (i * i) ^ (s >>> 3);
		return s;
	}

	public static void main(String[] a) throws Exception
	{
		long t0 = System.currentTimeMillis();
		long end = t0 + Long.parseLong(a[0]);
		long late = a.length > 1 ? t0 + Long.parseLong(a[1]) : Long.MAX_VALUE;
		long s = 0;

		while (System.currentTimeMillis() < end) {
			if (System.currentTimeMillis() >= late)
				s += Late.spin(100000);
			else
				s += work(100000);
		}
		System.out.println("done " + (s != 0));
	}
}

class Late {
	static long spin(long n)
	{
		long s = 1;
		for (long i = 0; i < n; i++)
			s = s * 31 + (i ^ (s >>> 7));
		return s;
	}
}
