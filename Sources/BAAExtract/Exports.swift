@_exported import BAAUtil
