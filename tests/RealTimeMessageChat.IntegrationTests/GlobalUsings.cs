global using RealTimeMessageChat.IntegrationTests.Harness;
global using RealTimeMessageChat.TestUtilities;
global using Xunit;
