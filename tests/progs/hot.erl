%% Busy Erlang program for perf-flame's container tests: fib/1 until the VM
%% used MS milliseconds of CPU time (wall time would leave few samples of
%% fib/1 on a loaded machine).
-module(hot).
-export([main/1]).

fib(0) -> 0;
fib(1) -> 1;
fib(N) -> fib(N - 1) + fib(N - 2).

loop(End) ->
	fib(20),
	{Cpu, _} = erlang:statistics(runtime),
	case Cpu < End of
		true -> loop(End);
		false -> ok
	end.

main([Ms]) ->
	{Cpu, _} = erlang:statistics(runtime),
	loop(Cpu + list_to_integer(Ms)),
	io:format("done~n"),
	halt().
