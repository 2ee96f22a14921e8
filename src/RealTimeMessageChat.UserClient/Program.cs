using RealTimeMessageChat.UserClient;

// Chat lines go to stdout and nothing else does; status to stderr, logs to the log file.
return await UserClientApp.RunAsync(args, System.Console.In, System.Console.Out, System.Console.Error);
