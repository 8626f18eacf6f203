import ArgumentParser
import Foundation

// Usage errors exit 2 (not ArgumentParser's 64); help and version exit 0.
BAACommand.mainWithExitCodes()
