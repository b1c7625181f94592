# stand-in python app
print("scheduler.py")
