global using RealTimeMessageChat.IntegrationTests.Harness;
global using RealTimeMessageChat.TestUtilities;
global using RealTimeMessageChat.TestUtilities.Services;
global using Xunit;
