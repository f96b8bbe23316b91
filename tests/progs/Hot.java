// Busy JVM for perf-flame's container tests: Hot.work is compiled at once;
// with a second argument, Late.spin is first run (and compiled) that many
// milliseconds into the run. Both durations are CPU time of the main
// thread, not wall time: on a loaded machine the run lasts longer instead
// of holding fewer samples (JVM start-up would then outweigh Hot.work).
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

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
		ThreadMXBean mx = ManagementFactory.getThreadMXBean();
		long end = Long.parseLong(a[0]) * 1000000;
		long late = a.length > 1 ? Long.parseLong(a[1]) * 1000000 : Long.MAX_VALUE;
		long s = 0;
		long t;

		while ((t = mx.getCurrentThreadCpuTime()) < end) {
			if (t >= late)
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
