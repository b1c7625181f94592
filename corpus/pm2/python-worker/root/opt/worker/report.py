# stand-in python app
print("report.py")
