%% Busy Erlang program for perf-flame's container tests: fib/1 for MS milliseconds.
-module(hot).
-export([main/1]).

fib(0) -> 0;
fib(1) -> 1;
fib(N) -> fib(N - 1) + fib(N - 2).

loop(End) ->
	fib(20),
	case erlang:monotonic_time(millisecond) < End of
		true -> loop(End);
		false -> ok
	end.

main([Ms]) ->
	loop(erlang:monotonic_time(millisecond) + list_to_integer(Ms)),
	io:format("done~n"),
	halt().
